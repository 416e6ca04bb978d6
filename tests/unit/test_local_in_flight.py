"""The local run counts the requests it is serving, so Ctrl-C lets them finish and no longer: a request counts
until its response is sent in full or closed, even when werkzeug skips close() after a client reset."""

from __future__ import annotations

import socket
import struct
import threading

from werkzeug.serving import make_server

from service.local import InFlight


def app(environ, start_response):
    start_response("303 See Other", [("Location", "/elsewhere"), ("Content-Type", "text/plain")])
    return [b"Redirecting to /elsewhere"]


def test_a_response_sent_in_full_but_never_closed_counts_as_served():
    in_flight = InFlight(app)
    response = in_flight({"REQUEST_METHOD": "GET"}, lambda status, headers: None)
    assert not in_flight.wait_idle(0)  # being served
    assert b"".join(response) == b"Redirecting to /elsewhere"  # werkzeug then skips close(): the client reset
    assert in_flight.wait_idle(0)


def test_a_closed_response_counts_once_and_closes_the_apps_response():
    closed = []

    class Body(list):
        def close(self):
            closed.append(True)

    in_flight = InFlight(lambda environ, start_response: Body([b"a", b"b"]))
    first = in_flight({}, lambda *a: None)
    second = in_flight({}, lambda *a: None)
    list(first)
    first.close()  # sent in full and closed: counted once, not twice
    assert not in_flight.wait_idle(0)  # the second is still being served
    second.close()  # a client that went away before the body: closed without being sent
    assert in_flight.wait_idle(0) and closed == [True, True]


def test_a_client_resetting_the_connection_after_a_redirect_leaves_nothing_running():
    in_flight = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for _ in range(20):  # the reset has to land while the server drains the request: try it often
            client = socket.create_connection(("127.0.0.1", server.port))
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert client.recv(12) == b"HTTP/1.1 303"  # the status line, not the rest: unread data left behind
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()  # a reset, as a client that leaves without reading does
        assert in_flight.wait_idle(2)
    finally:
        server.shutdown()
        server.server_close()
