"""A real SMTP server on a socket, for tests and drills (drills/), that can
misbehave the ways mail servers do: accept connections and say nothing,
answer everything but QUIT, swallow a message without confirming it, or
refuse a recipient. It counts what reaches it, at the socket."""

import re
import socket
import threading
import time
from dataclasses import dataclass

HANG, ANSWER = "hang", "answer"


@dataclass
class Delivery:
    recipients: list[str]
    message_id: str
    data: bytes


class SMTPServer:
    """Serves on 127.0.0.1 on a free port (or `port`) in its own threads.

    mode HANG: accept, then say nothing until answer() is called (the
    connections already open are then served). Independent of the mode:
    hang_on_quit (accept every message, never answer QUIT), hang_after_data
    (read a message, never confirm it), refuse (addresses answered 550)."""

    def __init__(self, mode: str = ANSWER, port: int = 0, *, refuse=(), hang_on_quit=False):
        self.answering = threading.Event()
        if mode == ANSWER:
            self.answering.set()
        self.refuse = set(refuse)
        self.hang_on_quit = hang_on_quit
        self.hang_after_data = False
        self.stopped = threading.Event()
        self.lock = threading.Condition()
        self.connections = 0
        self.deliveries: list[Delivery] = []
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def answer(self) -> None:
        self.answering.set()

    def hang(self) -> None:
        self.answering.clear()

    def stop(self) -> None:
        self.stopped.set()
        self.answering.set()
        try:  # wakes the thread blocked in accept(), so the port is free at once
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        with self.lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def wait_for(self, condition, timeout: float = 30) -> bool:
        """Wait until condition(server) holds, e.g. lambda s: s.connections == 1."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(left)
        return True

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for d in self.deliveries for r in d.recipients)

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                self._sockets.append(sock)
                self.lock.notify_all()
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            with sock, sock.makefile("rb") as lines:
                self._conversation(sock, lines)
        except OSError:
            pass

    def _hold(self) -> None:
        self.stopped.wait()

    def _conversation(self, sock, lines) -> None:
        self.answering.wait()
        if self.stopped.is_set():
            return
        sock.sendall(b"220 drill.test ESMTP\r\n")
        recipients: list[str] = []
        while not self.stopped.is_set():
            self.answering.wait()
            line = lines.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                sock.sendall(b"250-drill.test\r\n250 8BITMIME\r\n")
            elif verb == "MAIL":
                recipients = []
                sock.sendall(b"250 OK\r\n")
            elif verb == "RCPT":
                address = re.search(r"<([^>]*)>", command).group(1)
                if address in self.refuse:
                    sock.sendall(b"550 No such mailbox\r\n")
                else:
                    recipients.append(address)
                    sock.sendall(b"250 OK\r\n")
            elif verb == "DATA":
                sock.sendall(b"354 Go ahead\r\n")
                data = self._read_data(lines)
                if self.hang_after_data:
                    self._hold()
                    return
                found = re.search(rb"^Message-ID:\s*(\S+)", data, re.MULTILINE | re.IGNORECASE)
                with self.lock:
                    self.deliveries.append(
                        Delivery(recipients, found.group(1).decode() if found else "", data)
                    )
                    self.lock.notify_all()
                sock.sendall(b"250 Queued\r\n")
            elif verb == "QUIT":
                if self.hang_on_quit:
                    self._hold()
                    return
                sock.sendall(b"221 Bye\r\n")
                return
            else:  # RSET, NOOP
                sock.sendall(b"250 OK\r\n")

    @staticmethod
    def _read_data(lines) -> bytes:
        data = []
        for line in lines:
            if line in (b".\r\n", b".\n"):
                break
            data.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(data)
