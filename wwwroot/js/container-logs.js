// The logs tab's browser side: the page reads the container's log itself from /hubs/logs (SignalR, with the sign-in
// cookie) and hands the lines in batches to the Blazor component ContainerLogs.razor (its Receive method), which keeps
// them and renders them in its virtualised view. When the container stops the hub's follow ends; the next start
// (seen on /hubs/events) resumes it from the last line shown.
(() => {
  // A fast writer reaches the component at most 20 times a second, so it costs 20 renders a second, not one a line.
  const batchInterval = 50;
  // Bytes of JSON a call may carry: the Blazor circuit refuses messages over 32 KB.
  const batchBudget = 24_000;

  // A log time ("2026-01-02T03:04:05.1234567+00:00") as 100 ns ticks since 1970, exact, for ordering lines.
  function ticksOf(time) {
    const parts = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(time);
    const fraction = (parts[2] ?? '').padEnd(7, '0').slice(0, 7);
    return BigInt(Date.parse(parts[1] + parts[3])) * 10000n + BigInt(fraction);
  }

  // What a line costs in the call's JSON: its text (escapes and multi-byte characters counted high) and the rest.
  function costOf(text) {
    return 96 + (/^[\x20-\x7e]*$/.test(text) ? text.length : text.length * 6);
  }

  // SignalR prefixes a HubException's text with what it was invoking: the user wants the reason only.
  function reasonOf(error) {
    const message = String(error?.message ?? error);
    const at = message.indexOf('HubException: ');
    return at >= 0 ? message.slice(at + 'HubException: '.length) : message;
  }

  class LogFollower {
    constructor(component, containerId, generation, query) {
      this.component = component;
      this.containerId = containerId;
      this.generation = generation;
      this.query = query;
      this.partial = { stdout: '', stderr: '' };
      this.pending = [];
      this.pendingCost = 0;
      this.lastTime = null;
      this.lastTicks = -1n;
      this.skipThrough = -1n;
      this.following = false;
      this.startedWhileFollowing = false;
      this.sending = false;
      this.timer = null;
      this.lastSent = 0;
      this.closed = false;
      this.logs = new signalR.HubConnectionBuilder().withUrl('/hubs/logs').withAutomaticReconnect().build();
      this.events = new signalR.HubConnectionBuilder().withUrl('/hubs/events').withAutomaticReconnect().build();
      this.logs.onreconnected(() => this.resume());
      this.events.onreconnected(() => { this.watchStarts(); if (!this.following) this.resume(); });
    }

    async open() {
      await Promise.all([this.logs.start(), this.events.start()]);
      // Starts are watched before the first read, so a start between the end of a read and a new watch is not missed.
      this.watchStarts();
      this.follow(this.query);
    }

    watchStarts() {
      const filters = { type: ['container'], container: [this.containerId], event: ['start'] };
      this.events.stream('Stream', filters, null).subscribe({
        next: () => {
          if (this.following) this.startedWhileFollowing = true;
          else this.resume();
        },
        error: error => this.fail(this.events, error),
        complete: () => { },
      });
    }

    follow(query) {
      this.following = true;
      this.startedWhileFollowing = false;
      this.logs.stream('Stream', this.containerId, query).subscribe({
        next: message => this.receive(message),
        complete: () => {
          this.following = false;
          if (this.startedWhileFollowing) this.resume();
        },
        error: error => {
          this.following = false;
          this.fail(this.logs, error);
        },
      });
    }

    // Reads again what was written after the last line received (the container started again, or the hub reconnected).
    resume() {
      if (this.closed || this.following) return;
      this.skipThrough = this.lastTicks;
      this.follow({ ...this.query, tail: null, since: this.lastTime ?? this.query.since });
    }

    receive(message) {
      const ticks = ticksOf(message.time);
      if (ticks <= this.skipThrough) return;
      this.lastTicks = ticks;
      this.lastTime = message.time;
      if (message.partial) {
        this.partial[message.stream] += message.text;
        return;
      }
      const text = (this.partial[message.stream] + message.text).replace(/\r$/, '');
      this.partial[message.stream] = '';
      this.pending.push({ stream: message.stream, time: message.time, text });
      this.pendingCost += costOf(text);
      this.schedule();
    }

    schedule() {
      if (this.sending || this.timer !== null || this.pending.length === 0) return;
      const wait = this.lastSent + batchInterval - performance.now();
      if (wait <= 0 || this.pendingCost >= batchBudget) {
        this.send();
        return;
      }
      this.timer = setTimeout(() => { this.timer = null; this.send(); }, wait);
    }

    async send() {
      if (this.closed || this.pending.length === 0) return;
      let cost = 0;
      let count = 0;
      while (count < this.pending.length && (count === 0 || cost + costOf(this.pending[count].text) <= batchBudget))
        cost += costOf(this.pending[count++].text);
      const batch = this.pending.splice(0, count);
      this.pendingCost -= cost;
      this.sending = true;
      this.lastSent = performance.now();
      try {
        await this.component.invokeMethodAsync('Receive', this.generation, batch);
      } catch {
        // The circuit is gone: the page is being left or reloaded.
        this.close();
      }
      this.sending = false;
      this.schedule();
    }

    fail(connection, error) {
      // A connection that drops is reconnecting; resume() picks up once it is back.
      if (this.closed || connection.state !== signalR.HubConnectionState.Connected) return;
      this.component.invokeMethodAsync('Failed', this.generation, reasonOf(error)).catch(() => { });
    }

    close() {
      if (this.closed) return;
      this.closed = true;
      if (this.timer !== null) clearTimeout(this.timer);
      this.logs.stop();
      this.events.stop();
    }
  }

  // Opens the follower; the component keeps the returned object and calls close() on it.
  window.webengine.followLog = async (component, containerId, generation, query) => {
    const follower = new LogFollower(component, containerId, generation, query);
    try {
      await follower.open();
    } catch (error) {
      follower.close();
      throw new Error(reasonOf(error));
    }
    return follower;
  };
})();
