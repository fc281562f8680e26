#!/usr/bin/env python3
"""netcut-proxy.py LISTEN_PORT TARGET_PORT [STATE_FILE] - a TCP proxy on
loopback that cuts every connection through it when it receives SIGUSR1, to
test what a dropped network does to a console.  Prints the port it listens
on; keeps the number of live connections in STATE_FILE."""
import asyncio
import signal
import sys


async def main():
    listen, target = int(sys.argv[1]), int(sys.argv[2])
    state = sys.argv[3] if len(sys.argv) > 3 else None
    conns = set()

    def note():
        if state:
            with open(state + ".tmp", "w") as f:
                f.write("%d\n" % len(conns))
            import os
            os.replace(state + ".tmp", state)

    async def pipe(reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(creader, cwriter):
        try:
            freader, fwriter = await asyncio.open_connection("127.0.0.1",
                                                             target)
        except OSError:
            cwriter.close()
            return
        pair = (cwriter, fwriter)
        conns.add(pair)
        note()
        await asyncio.gather(pipe(creader, fwriter), pipe(freader, cwriter),
                             return_exceptions=True)
        conns.discard(pair)
        note()

    def cut():
        print("cut %d" % len(conns), file=sys.stderr, flush=True)
        for c, f in list(conns):
            for w in (c, f):
                w.transport.abort()
        conns.clear()
        note()

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, cut)
    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
