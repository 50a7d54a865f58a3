"""Matrix's own way to tell the supervisors that Matrix needs a person: a notice in their room, else in each
one's direct room with the bot (through the outbox, like every notice).

When the broken room is the supervisors' room itself, their direct rooms carry the alert instead.
"""

from collections.abc import Sequence

from adapters.matrix.dms import DirectRooms
from adapters.matrix.lanes import Wake
from adapters.matrix.outbox import Outbox, OutboxEntry
from adapters.matrix.problems import MATRIX_PROBLEMS
from adapters.matrix.render import notice
from adapters.matrix.session import Session
from bridge.config.agents import AgentConfig
from bridge.domain.ids import new_id
from bridge.platform_problems import Problem, problem_text


class MatrixAlerts:
    def __init__(self, session: Session, dms: DirectRooms, outbox: Outbox, wake: Wake) -> None:
        self._session = session
        self._dms = dms
        self._outbox = outbox
        self._wake = wake

    async def __call__(self, problem: Problem, supervisors: Sequence[AgentConfig]) -> bool:
        room = self._session.supervisors_room
        rooms = [room] if room and room != problem.place else \
            [await self._dms.room_for(a) for a in supervisors if a.matrix_user_id]
        text = f"🚨 {problem_text(MATRIX_PROBLEMS.shown, problem)}"
        for room in rooms:
            await self._outbox.put(room, OutboxEntry(key=f"alert.{new_id(16)}", content=notice(text)))
            self._wake(room, "")
        return bool(rooms)
