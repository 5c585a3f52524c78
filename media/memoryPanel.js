// The Memory Panel's webview script (plain DOM, no dependencies): renders the state the extension posts
// (address, bytes, grouping, changed offsets) as hex and ASCII rows and sends back the user's actions
// (go to an expression, grouping, follow a register, page up/down, a value edited in place).
// @ts-check
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const expr = /** @type {HTMLInputElement} */ ($("expr"));
  const group = /** @type {HTMLSelectElement} */ ($("group"));
  const follow = /** @type {HTMLSelectElement} */ ($("follow"));
  const grid = $("grid");
  const status = $("status");
  const PER_ROW = 16;
  const REGS = {
    32: ["eip", "esp", "ebp", "eax", "ebx", "ecx", "edx", "esi", "edi"],
    64: ["rip", "rsp", "rbp", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"],
  };
  /** @type {any} */
  let state;

  const hex = (/** @type {number} */ n, /** @type {number} */ w) => n.toString(16).toUpperCase().padStart(w, "0");

  function setFollowOptions(/** @type {32|64} */ bits, /** @type {string} */ current) {
    const want = ["", ...REGS[bits]];
    if (current !== "" && !want.includes(current)) want.push(current);
    const have = Array.from(follow.options).map((o) => o.value);
    if (have.join() !== want.join()) {
      follow.textContent = "";
      for (const r of want) {
        const o = document.createElement("option");
        o.value = r;
        o.textContent = r === "" ? "(none)" : r;
        follow.appendChild(o);
      }
    }
    follow.value = current;
  }

  function render() {
    if (!state) return;
    if (document.activeElement !== expr) expr.value = state.expression;
    group.value = String(state.group);
    setFollowOptions(state.bits, state.follow);
    status.textContent = state.error
      ? state.error
      : `0x${hex(state.address, 8)}${state.follow ? ` · following ${state.follow}` : ""}${state.changed.length ? ` · ${state.changed.length} bytes changed since the last stop` : ""}`;
    status.classList.toggle("error", !!state.error);
    const changed = new Set(state.changed);
    const g = state.group;
    const frag = document.createDocumentFragment();
    const digits = state.address + state.bytes.length > 0xffffffff ? 16 : 8;
    for (let row = 0; row < state.bytes.length; row += PER_ROW) {
      const line = document.createElement("div");
      line.className = "row";
      line.setAttribute("role", "row");
      const addr = document.createElement("span");
      addr.className = "addr";
      addr.textContent = hex(state.address + row, digits);
      line.appendChild(addr);
      const cells = document.createElement("span");
      cells.className = "hex";
      for (let i = row; i < row + PER_ROW; i += g) {
        const cell = document.createElement("span");
        cell.className = "cell";
        cell.setAttribute("role", "gridcell");
        cell.dataset.offset = String(i);
        const bytes = state.bytes.slice(i, i + g);
        if (bytes.some((/** @type {number|null} */ b) => b === null)) {
          cell.textContent = "??".repeat(g);
          cell.classList.add("unreadable");
        } else {
          // A group shows its little-endian value, as a debugger's dd/dq does.
          cell.textContent = bytes
            .slice()
            .reverse()
            .map((/** @type {number} */ b) => hex(b, 2))
            .join("");
          cell.title = `0x${hex(state.address + i, digits)} — click to edit`;
        }
        for (let k = i; k < i + g; k++) if (changed.has(k)) cell.classList.add("changed");
        cells.appendChild(cell);
      }
      line.appendChild(cells);
      const ascii = document.createElement("span");
      ascii.className = "ascii";
      for (let i = row; i < row + PER_ROW; i++) {
        const b = state.bytes[i];
        const ch = document.createElement("span");
        ch.className = "ch";
        ch.textContent = b === null ? "?" : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
        if (changed.has(i)) ch.classList.add("changed");
        ascii.appendChild(ch);
      }
      line.appendChild(ascii);
      frag.appendChild(line);
    }
    grid.textContent = "";
    grid.appendChild(frag);
  }

  function edit(/** @type {HTMLElement} */ cell) {
    if (!state || cell.classList.contains("unreadable") || cell.querySelector("input")) return;
    const offset = Number(cell.dataset.offset);
    const g = state.group;
    const input = document.createElement("input");
    input.size = g * 2;
    input.maxLength = g * 2;
    input.value = cell.textContent || "";
    input.setAttribute("aria-label", `value at 0x${hex(state.address + offset, 8)}`);
    cell.textContent = "";
    cell.appendChild(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (/** @type {boolean} */ commit) => {
      if (done) return;
      done = true;
      const text = input.value.trim().replace(/^0x/i, "");
      if (commit && /^[0-9a-f]+$/i.test(text) && text.length <= g * 2) {
        let v = BigInt("0x" + text);
        const bytes = [];
        for (let k = 0; k < g; k++) {
          bytes.push(Number(v & 0xffn));
          v >>= 8n;
        }
        vscode.postMessage({ type: "write", address: state.address + offset, bytes });
      } else render();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") finish(true);
      else if (e.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(false));
  }

  grid.addEventListener("click", (e) => {
    const cell = /** @type {HTMLElement|null} */ (/** @type {HTMLElement} */ (e.target).closest(".cell"));
    if (cell) edit(cell);
  });
  $("go").addEventListener("click", () => vscode.postMessage({ type: "goto", expression: expr.value }));
  expr.addEventListener("keydown", (e) => {
    if (e.key === "Enter") vscode.postMessage({ type: "goto", expression: expr.value });
  });
  group.addEventListener("change", () => vscode.postMessage({ type: "group", size: Number(group.value) }));
  follow.addEventListener("change", () => vscode.postMessage({ type: "follow", register: follow.value }));
  $("up").addEventListener("click", () => vscode.postMessage({ type: "scroll", delta: -256 }));
  $("down").addEventListener("click", () => vscode.postMessage({ type: "scroll", delta: 256 }));
  window.addEventListener("message", (e) => {
    if (e.data && e.data.type === "state") {
      state = e.data;
      render();
    }
  });
  vscode.postMessage({ type: "ready" });
})();
