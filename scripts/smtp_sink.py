"""An SMTP sink for tests (run by scripts/smtp-sink.sh, with aiosmtpd installed).

Listens on a free port of 127.0.0.1 and prints "PORT <n>", then, for every message it
accepts, one JSON line: the envelope and the message as Python's own `email` parser reads
it (so the test checks the MIME structure independently of the sender). Recipients whose
local part starts with "refuse" are refused with 550 (permanent), with "defer" with 451
(transient). It offers AUTH (PLAIN, LOGIN) without TLS and accepts only the user
"alerts" with the password "s3cret pass" (clients that do not authenticate are served too).
Exits when its standard input closes, so it never outlives the test.
"""

import asyncio
import email
import email.policy
import json
import logging
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = b"alerts", b"s3cret pass"

# aiosmtpd 1.4 sets its own deprecated Session.login_data and logs a warning about it.
logging.getLogger("mail.log").setLevel(logging.ERROR)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER,
        PASSWORD,
    )
    # handled=False: aiosmtpd answers the 535 itself (True would leave the client waiting).
    return AuthResult(success=ok, handled=False)


def parts(message):
    found = {"text": None, "html": None}
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/plain" and found["text"] is None:
            found["text"] = part.get_content()
        elif kind == "text/html" and found["html"] is None:
            found["html"] = part.get_content()
    return found


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("refuse"):
            return "550 5.1.1 Mailbox unavailable"
        if local.startswith("defer"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "content_type": message.get_content_type(),
            **parts(message),
        }
        print(json.dumps(record), flush=True)
        return "250 Message accepted"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), authenticator=authenticator, auth_require_tls=False),
        host="127.0.0.1",
        port=0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    # Standing by until the test closes our standard input (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
