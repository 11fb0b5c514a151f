"""`uvicorn --workers N` with a listening socket that asyncio knows is TCP (uvicorn#3149):
uvicorn binds it with proto 0, so asyncio never sets TCP_NODELAY on accepted connections and
each keep-alive response waits ~40 ms for a delayed ACK. Used only with --tcp-nodelay, to show
what several workers could do without that stall."""

from __future__ import annotations

import argparse
import socket

from uvicorn import Config
from uvicorn.supervisors import Multiprocess

from bench.server import stack


def binds_tcp() -> bool:
    """True when this uvicorn's multi-worker socket is one asyncio sets TCP_NODELAY on."""
    sock = Config(app="bench.baseline_app:create_app", host="127.0.0.1", port=0).bind_socket()
    try:
        return sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nodelay")
    parser.add_argument("factory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    config = Config(
        args.factory,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level="warning",
        loop=stack()[0],
        http=stack()[1],
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


if __name__ == "__main__":
    main()
