"""The customer's transcript and its email read in the language the chat was in; the staff copy stays English."""

from bridge.config.transcripts import SmtpConfig
from bridge.domain.chat import Customer
from tests.transcripts.test_render import _chat, _events
from transcripts.mail import build_message
from transcripts.render import render_transcript


def in_language(language: str):  # noqa: ANN201 (a Chat)
    chat = _chat()
    return chat.model_copy(update={"customer": Customer(name=chat.customer.name, email=chat.customer.email,
                                                        language=language)})


def test_the_customers_copy_is_in_their_language() -> None:
    text = render_transcript(in_language("de"), _events(), "txt", "customer")[0].decode()
    assert text.startswith("Chatverlauf\n===========\n")
    assert "Kunde: Eve <b>Evil</b>" in text and "E-Mail: eve@example.org" in text
    assert "    [Datei: receipt.pdf, application/pdf, 1234 Bytes]" in text
    assert "(bearbeitet)" in text and "(Nachricht gelöscht)" in text and "Der Chat ist beendet." in text
    staff = render_transcript(in_language("de"), _events(), "txt", "staff")[0].decode()
    assert staff.startswith("Chat transcript\n") and "Customer: Eve" in staff


def test_html_in_arabic_reads_right_to_left_and_stays_escaped() -> None:
    html = render_transcript(in_language("ar"), _events(), "html", "customer")[0].decode()
    assert '<html lang="ar" dir="rtl">' in html and "<h1>نص المحادثة</h1>" in html
    assert "<script>alert" not in html and "Eve &lt;b&gt;Evil&lt;/b&gt;" in html


def test_the_transcript_email_is_in_their_language() -> None:
    smtp = SmtpConfig(host="127.0.0.1", sender="help@example.com")
    msg = build_message(smtp, in_language("fr"), _events(), "Your chat transcript", "en")
    assert msg["Subject"] == "La transcription de votre chat" and msg["Content-Language"] == "fr"
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content().startswith("Bonjour Eve <b>Evil</b>,\n\nmerci d'avoir discuté")
    own = build_message(smtp, in_language("fr"), _events(), {"en": "Transcript", "fr": "Votre échange"}, "en")
    assert own["Subject"] == "Votre échange"
    fallback = build_message(smtp, in_language(""), _events(), {"en": "Transcript", "fr": "Votre échange"}, "en")
    assert fallback["Subject"] == "Transcript"
