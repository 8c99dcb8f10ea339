#!/usr/bin/env python3
"""Opens N idle TCP connections to HOST:PORT and holds them until stdin closes or it is killed.
With CAFILE, each one is a TLS connection (the default context: TLS 1.3 when the server has it,
server name "localhost" verified against CAFILE) whose handshake is done before it counts.
Prints "connected N" once all are established. Used by idle-memory.sh.
Usage: idle-clients.py N HOST PORT [CAFILE]"""
import asyncio
import resource
import ssl
import sys


async def main(count, host, port, cafile):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1000), hard))
    gate = asyncio.Semaphore(200)  # not more SYNs in flight than the listen backlog holds
    tls = ssl.create_default_context(cafile=cafile) if cafile else None

    async def connect():
        async with gate:
            if tls:
                return await asyncio.open_connection(host, port, ssl=tls, server_hostname="localhost")
            return await asyncio.open_connection(host, port)

    connections = await asyncio.gather(*(connect() for _ in range(count)))
    protocol = connections[0][1].get_extra_info("ssl_object").version() if tls and connections else "tcp"
    print(f"connected {len(connections)} ({protocol})", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for _, writer in connections:
        writer.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None))
