// The one module that knows the WebSocket protocol (docs/protocol.md): it connects, sends typed
// messages with ids, reconnects after a lost connection, and hands each message to listeners.

export class Transport {
  constructor(url) {
    this.url = url;
    this.listeners = new Map();
    this.nextId = 1;
    this.socket = null;
    this.retry = 0;
    this.everOpened = false;
  }

  /** Listen for a server message type (or "open" / "close"). */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
    return this;
  }

  /** Listen for the first message of a type only. */
  once(type, fn) {
    const first = (payload) => {
      this.listeners.set(type, this.listeners.get(type).filter((f) => f !== first));
      fn(payload);
    };
    return this.on(type, first);
  }

  emit(type, payload) {
    for (const fn of this.listeners.get(type) || []) fn(payload);
  }

  connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
      this.emit("open", { reconnected: this.everOpened });
      this.everOpened = true;
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      this.emit(message.type, message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.emit("close", { code: event.code, reason: event.reason });
      const delay = Math.min(5000, 250 * 2 ** this.retry++);
      setTimeout(() => this.connect(), delay);
    };
  }

  get open() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Tell the server a frame has been applied (flow control; the connection asked with ?ack=1). */
  ack() {
    if (this.open) this.socket.send('{"type":"ack"}');
  }

  /** Send a client message; returns its id. */
  send(type, fields = {}) {
    const id = this.nextId++;
    if (this.open) this.socket.send(JSON.stringify({ type, id, ...fields }));
    return id;
  }

  configure(config) { return this.send("configure", { config }); }
  play() { return this.send("play"); }
  pause() { return this.send("pause"); }
  step(count = 1) { return this.send("step", { count }); }
  phase() { return this.send("phase"); }
  reset() { return this.send("reset"); }
  exportTrace() { return this.send("export"); }
  speed(fields) { return this.send("speed", fields); }
}
