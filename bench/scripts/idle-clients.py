#!/usr/bin/env python3
"""Opens N idle TCP connections to HOST:PORT and holds them until stdin closes or it is killed.
Prints "connected N" once all are established. Used by idle-memory.sh.
Usage: idle-clients.py N HOST PORT"""
import asyncio
import resource
import sys


async def main(count, host, port):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1000), hard))
    gate = asyncio.Semaphore(200)  # not more SYNs in flight than the listen backlog holds

    async def connect():
        async with gate:
            return await asyncio.open_connection(host, port)

    connections = await asyncio.gather(*(connect() for _ in range(count)))
    print(f"connected {len(connections)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for _, writer in connections:
        writer.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
