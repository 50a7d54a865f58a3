"""Co-browse: the CSR sees the customer's tab live (rrweb), with the customer's consent."""

from pydantic import Field

from bridge.config.base import Section


class CobrowseTexts(Section):
    """What the customer reads; `{agent}` is the CSR's display name."""

    ask: str = Field("{agent} would like to see this browser tab to help you. Only this tab of this site is "
                     "shown; passwords and what you type are hidden.", max_length=500)
    allow: str = Field("Allow", max_length=40)
    decline: str = Field("No thanks", max_length=40)
    banner: str = Field("{agent} can see this tab.", max_length=200)
    stop: str = Field("Stop sharing", max_length=40)
    ended: str = Field("Screen sharing has ended.", max_length=200)
    going_to: str = Field("Taking you to {url}", max_length=200)


class CobrowseLimits(Section):
    max_frame_bytes: int = Field(4 * 1024 * 1024, ge=1024, le=16 * 1024 * 1024)
    """One message of the recorder (a full snapshot of a page is the biggest); a bigger page is cut off."""
    bytes_per_10s: int = Field(8 * 1024 * 1024, ge=1024)
    """What a session may send in any 10 seconds; past it (a runaway mutation loop) the session ends."""
    frames_per_10s: int = Field(300, ge=10)
    stream_entries: int = Field(2000, ge=100)
    """The live relay keeps this many recent messages per session in Redis (a viewer resumes from them)."""
    recording_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    """With `record` on: what one session's recording may hold; past it the rest is not recorded."""


class CobrowseConfig(Section):
    enabled: bool = False
    rrweb_dir: str = "web/node_modules/rrweb/dist"
    """Where `scripts/setup.sh` installs rrweb from npm; relative paths are from the config file."""
    link_minutes: float = Field(10.0, gt=0, le=24 * 60)
    """A viewer link works once, within this time; opening it binds the view to that browser."""
    ask_minutes: float = Field(5.0, gt=0, le=60)
    """A request the customer has not answered lapses after this."""
    block_selector: str = Field(".csr-private, [data-csr-private]", max_length=500)
    """Elements the site marks as private: never captured (shown to the CSR as an empty box)."""
    mask_all_inputs: bool = True
    """Every input's value shows as asterisks; false shows values of fields that are not passwords."""
    push_navigates: bool = False
    """`csr push` to the customer's own site navigates their tab even outside co-browse."""
    record: bool = False
    """Keep each session's recording (in Redis) for `retention_days`; off: nothing of the page outlives the session."""
    retention_days: int = Field(30, ge=1, le=3650)
    texts: CobrowseTexts = Field(default_factory=CobrowseTexts)
    limits: CobrowseLimits = Field(default_factory=CobrowseLimits)
