"""The KV Connect test server's TCP relay (tests/support/kv-connect-server.ts).

Clients connect to the port this prints on its first line; each connection is piped byte for
byte to the HTTP server on INNER_PORT, so the test server can cut a client's socket (a real
network error, not an HTTP status).

Why Python: Deno's remote KV client sends a request of more than ~1 KB in two writes without
TCP_NODELAY, so its second write waits for the ACK of the first. A receiving socket on a
keep-alive connection delays that ACK by ~40 ms, and every larger write took that long. Linux
ACKs at once on a socket with TCP_QUICKACK set after each read, which Deno's sockets cannot set.

    python3 relay.py INNER_PORT [LISTEN_PORT]

Commands on stdin, one a line: `cut PORT` closes the client whose upstream connection has local
port PORT (the test server sees it as the request's remote port) and answers `cut PORT` on
stdout once it is closed. At the end of stdin everything is closed and the relay exits.
"""

import asyncio
import socket
import sys

INNER_PORT = int(sys.argv[1])
LISTEN_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0

# upstream local port -> (client transport, upstream transport)
pairs = {}


def quickack(sock):
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    except OSError:
        pass


async def pipe(reader, writer, ack_sock):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if ack_sock is not None:
                quickack(ack_sock)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


async def handle(client_reader, client_writer):
    client_sock = client_writer.get_extra_info("socket")
    client_sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    quickack(client_sock)
    try:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", INNER_PORT)
    except OSError:
        client_writer.transport.abort()
        return
    up_writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    up_port = up_writer.get_extra_info("sockname")[1]
    pairs[up_port] = (client_writer.transport, up_writer.transport)
    try:
        await asyncio.gather(
            pipe(client_reader, up_writer, client_sock),
            pipe(up_reader, client_writer, None),
        )
    finally:
        pairs.pop(up_port, None)
        client_writer.transport.abort()
        up_writer.transport.abort()


async def commands(server):
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        parts = line.decode().split()
        if len(parts) == 2 and parts[0] == "cut":
            pair = pairs.pop(int(parts[1]), None)
            if pair:
                for transport in pair:
                    transport.abort()
            sys.stdout.write(f"cut {parts[1]}\n")
            sys.stdout.flush()
    server.close()
    for pair in list(pairs.values()):
        for transport in pair:
            transport.abort()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN_PORT, reuse_address=True)
    sys.stdout.write(f"{server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    await commands(server)


asyncio.run(main())
