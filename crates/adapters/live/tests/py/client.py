"""A real python-socketio client, driven line by line for the live push tests.

Same protocol as ../js/client.mjs: JSON commands on stdin, JSON observations on stdout.

    python client.py <url> <websocket|polling|default>
"""

import json
import sys
import threading

import socketio

url, mode = sys.argv[1], sys.argv[2]
out_lock = threading.Lock()


def say(event, **fields):
    with out_lock:
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()


transports = {"websocket": ["websocket"], "polling": ["polling"], "default": None}[mode]
client = socketio.Client(reconnection=False)


@client.on("measurement_received")
def on_measurement(data):
    # json.dumps keeps the keys in arrival order: the test compares bytes.
    say("measurement_received", json=json.dumps(data, separators=(",", ":")))


@client.on("alert")
def on_alert(data):
    say("alert", json=json.dumps(data, separators=(",", ":")))


@client.on("disconnect")
def on_disconnect(*_):
    say("disconnected", reason="")


try:
    client.connect(url, transports=transports, wait_timeout=20)
except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
    say("connect_error", message=str(e))
    sys.exit(1)
say("connected", sid=client.sid, transport=client.transport())

for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["cmd"] == "emit":
        if cmd.get("ack"):
            try:
                args = client.call(cmd["name"], cmd["payload"], timeout=10)
                say("ack", id=cmd["id"], args=[] if args is None else [args])
            except socketio.exceptions.TimeoutError:
                say("ack_timeout", id=cmd["id"])
        else:
            client.emit(cmd["name"], cmd["payload"])
            say("sent", id=cmd["id"])
    elif cmd["cmd"] == "status":
        say("status", id=cmd["id"], connected=client.connected, transport=client.transport())
    elif cmd["cmd"] == "close":
        break

client.disconnect()
