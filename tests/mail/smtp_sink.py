#!/usr/bin/python3
"""smtp_sink.py -- a real SMTP server on loopback for the mail tests.

Listens on 127.0.0.1 on a free port chosen by the kernel, writes that port
to PORTFILE (atomically, once it accepts connections), and stores every
accepted message in DIR as N.eml (the bytes received after DATA, CRLF line
ends, dot-stuffing removed) with N.meta beside it:

    mail_from: <envelope sender>
    rcpt_to: <recipients, comma-separated>
    auth: <MECHANISM:user, or "-" when the client did not authenticate>

Each file appears under its final name by rename(2), .meta after .eml, so a
reader that sees N.meta can read both. With --auth USER:PASSWORD the sink
offers AUTH PLAIN, LOGIN and CRAM-MD5 and refuses mail from a client that
has not authenticated. It offers no STARTTLS. It runs until killed.

Exit status 3 with a message on stderr if python3-aiosmtpd is missing
(install it with `tools/deps.sh ensure test`).
"""
import argparse
import asyncio
import hmac
import logging
import os
import sys
import time
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write("smtp_sink.py: python3-aiosmtpd is missing; install it "
                     "with `tools/deps.sh ensure test`\n")
    sys.exit(3)


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Sink:
    """aiosmtpd handler: store messages; implement AUTH CRAM-MD5."""

    def __init__(self, outdir, user, password):
        self.outdir = outdir
        self.user = user
        self.password = password
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, str(self.count))
        meta = "mail_from: %s\nrcpt_to: %s\nauth: %s\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos),
            session.auth_data or "-")
        write_atomic(base + ".eml", envelope.original_content)
        write_atomic(base + ".meta", meta.encode())
        return "250 2.0.0 Message accepted"

    # aiosmtpd maps auth_CRAM__MD5 to the mechanism name "CRAM-MD5".
    async def auth_CRAM__MD5(self, server, args):
        challenge = "<%d.%d@sink.test>" % (os.getpid(), time.time_ns())
        answer = await server.challenge_auth(challenge)
        if not isinstance(answer, bytes) or b" " not in answer:
            return AuthResult(success=False, handled=False)
        user, digest = answer.rsplit(b" ", 1)
        want = hmac.new(self.password.encode(), challenge.encode(),
                        "md5").hexdigest().encode()
        ok = user.decode() == self.user and hmac.compare_digest(digest, want)
        return AuthResult(success=ok, handled=False,
                          auth_data="CRAM-MD5:" + user.decode())

    def authenticate(self, server, session, envelope, mechanism, data):
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = (data.login.decode() == self.user and
              data.password.decode() == self.password)
        # handled=False: on failure aiosmtpd answers 535 itself.
        return AuthResult(success=ok, handled=False,
                          auth_data="%s:%s" % (mechanism, data.login.decode()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("portfile")
    ap.add_argument("dir")
    ap.add_argument("--auth", metavar="USER:PASSWORD")
    args = ap.parse_args()
    # Auth without TLS is what we want here; keep the sink's log quiet.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    user, password = (args.auth.split(":", 1) if args.auth else (None, None))
    sink = Sink(args.dir, user, password)

    def factory():
        if user is None:
            return SMTP(sink, hostname="sink.test")
        return SMTP(sink, hostname="sink.test", authenticator=sink.authenticate,
                    auth_required=True, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=0))
    port = server.sockets[0].getsockname()[1]
    write_atomic(args.portfile, b"%d\n" % port)
    loop.run_forever()


if __name__ == "__main__":
    main()
