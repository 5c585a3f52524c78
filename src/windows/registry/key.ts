/**
 * Keys and values of the in-memory registry.
 *
 * Names are case-insensitive and case-preserving: lookups go through an upper-cased form (one UTF-16 unit at
 * a time, as RtlUpcaseUnicodeChar does; characters whose upper case is longer stay as they are).
 *
 * Enumeration order is the one Windows gives:
 * - subkeys: a key node keeps two subkey lists, stable (non-volatile) then volatile, and each list "is
 *   required to be sorted ascending by an uppercase version of a key name string (comparison should be
 *   based on character codes)" (Windows registry file format specification, msuhanov/regf, "Index leaf";
 *   ReactOS CmpFindSubKeyByNumber indexes the stable list first, then the volatile one);
 * - values: the value list is "not required to be sorted" (same specification, "Key values list"); a new
 *   value is appended at the end and a deleted one is removed by moving the rest down (ReactOS
 *   CmpAddValueToList / CmpRemoveValueFromList), so values come in creation order.
 * RegEnumKeyEx/RegEnumValue document no order ("subkeys are not ordered"); the above is what the
 * implementation does.
 */

/** Upper-case a name one UTF-16 unit at a time (RtlUpcaseUnicodeString). */
export function upcase(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const u = c.toUpperCase();
    out += u.length === 1 ? u : c;
  }
  return out;
}

export class RegValue {
  constructor(
    /** As first written (case preserved); "" is the default value. */
    public name: string,
    public type: number,
    public data: Uint8Array,
  ) {}
}

export class RegKey {
  private readonly children = new Map<string, RegKey>();
  private readonly valueList: RegValue[] = [];
  private sorted: RegKey[] | null = null;
  /** Set when the key is deleted: handles to it report STATUS_KEY_DELETED. */
  deleted = false;

  constructor(
    /** The name as created (case preserved). */
    public name: string,
    public parent: RegKey | null,
    /** FILETIME of the last change to the key (its values or its subkey list). */
    public lastWriteTime: bigint,
    readonly volatile = false,
    /** Created with REG_OPTION_CREATE_LINK: its SymbolicLinkValue names the target. */
    readonly isLink = false,
    /** The key's class (RegCreateKeyEx lpClass), "" when none. */
    public className = "",
  ) {}

  /** The NT path, e.g. `\REGISTRY\MACHINE\SOFTWARE`. */
  get path(): string {
    return "\\" + this.components().join("\\");
  }

  /** The path's components from `REGISTRY` down to this key. */
  components(): string[] {
    const out: string[] = [this.name];
    for (let k = this.parent; k; k = k.parent) out.push(k.name);
    return out.reverse();
  }

  get depth(): number {
    let d = 0;
    for (let k = this.parent; k; k = k.parent) d++;
    return d;
  }

  child(name: string): RegKey | undefined {
    return this.children.get(upcase(name));
  }

  /** @internal */
  addChild(k: RegKey): void {
    this.children.set(upcase(k.name), k);
    this.sorted = null;
  }

  /** @internal */
  removeChild(k: RegKey): void {
    this.children.delete(upcase(k.name));
    this.sorted = null;
  }

  /** @internal renames a child in place (same key object). */
  renameChild(k: RegKey, newName: string): void {
    this.children.delete(upcase(k.name));
    k.name = newName;
    this.children.set(upcase(newName), k);
    this.sorted = null;
  }

  get subkeyCount(): number {
    return this.children.size;
  }

  /** Subkeys in enumeration order: stable ones sorted, then volatile ones sorted (see the file comment). */
  subkeys(): readonly RegKey[] {
    if (!this.sorted) {
      const byName = (a: RegKey, b: RegKey): number => {
        const x = upcase(a.name);
        const y = upcase(b.name);
        return x < y ? -1 : x > y ? 1 : 0;
      };
      const all = [...this.children.values()];
      this.sorted = [
        ...all.filter((k) => !k.volatile).sort(byName),
        ...all.filter((k) => k.volatile).sort(byName),
      ];
    }
    return this.sorted;
  }

  values(): readonly RegValue[] {
    return this.valueList;
  }

  value(name: string): RegValue | undefined {
    const u = upcase(name);
    return this.valueList.find((v) => upcase(v.name) === u);
  }

  /** @internal sets or replaces a value; a replaced value keeps its place and its name's case. */
  putValue(name: string, type: number, data: Uint8Array): void {
    const v = this.value(name);
    if (v) {
      v.type = type;
      v.data = data;
    } else {
      this.valueList.push(new RegValue(name, type, data));
    }
  }

  /** @internal */
  removeValue(name: string): boolean {
    const u = upcase(name);
    const i = this.valueList.findIndex((v) => upcase(v.name) === u);
    if (i < 0) return false;
    this.valueList.splice(i, 1);
    return true;
  }
}
