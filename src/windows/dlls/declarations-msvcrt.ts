/**
 * The synthetic msvcrt.dll (C:\Windows\System32\msvcrt.dll for 64-bit code, C:\Windows\SysWOW64\msvcrt.dll
 * for 32-bit code): the C runtime that mingw-w64 programs import by default. Every export is declared once
 * here; the TypeScript halves are in src/windows/api/crt-*.ts. The x86 exports are cdecl, as the C runtime's
 * are (the caller pops the arguments).
 *
 * Kinds used:
 * - `trap`: the whole function in TypeScript (string, memory, stdlib, sprintf into a buffer…).
 * - `bridge` to NtWriteFile: the stdio functions that write a stream (printf, fprintf, fwrite, puts…). The
 *   `pre` half formats the output into a per-thread buffer and fills NtWriteFile's arguments, real code
 *   calls ntdll!NtWriteFile on the stream's handle (so console output is a visible, breakable system call,
 *   through WOW64 for 32-bit code), the `post` half returns the function's result. Variadic arguments are
 *   read from the bridge's home area (x64: the four register arguments are spilled there, doubles of a
 *   variadic call travel in the integer registers too) or the caller's stack (x86).
 * - `code`: the functions that call back into the program — `_initterm` (the static initializer tables),
 *   `exit` and `_cexit` (the `_onexit`/`atexit` functions, last registered first) — are real machine code
 *   around a trap that hands out the next function, so the calls are ordinary guest calls a user can step.
 * - `data`: `_iob`, `_fmode`, `_commode`, `_acmdln`, `__initenv`, `__mb_cur_max`.
 */
import { at, type Asm } from "./asm";
import type { ApiDecl, ApiImpl, Arch, EmitContext, Prolog } from "./decl";

const TRAP: ApiImpl = { kind: "trap" };
const WRITE: ApiImpl = { kind: "bridge", nt: "NtWriteFile" };

/** sizeof(FILE) in msvcrt: x86 32 bytes, x64 48 (char *_ptr; int _cnt; char *_base; int _flag, _file, _charbuf, _bufsiz; char *_tmpfname). */
export const FILE_SIZE: Record<Arch, number> = { x86: 32, x64: 48 };
/** The standard streams in _iob; msvcrt's table has _IOB_ENTRIES (20), the rest for fopen. */
export const IOB_ENTRIES = 20;

function d(
  name: string,
  argc: number,
  impl: ApiImpl,
  doc: string,
  o: { arch?: Arch | "both"; exported?: boolean } = {},
): ApiDecl {
  return {
    dll: "msvcrt",
    name,
    argc,
    conv: "cdecl",
    impl,
    arch: o.arch ?? "both",
    exported: o.exported,
    doc,
  };
}

const data = (name: string, size: number, doc: string, init?: number, arch?: Arch | "both"): ApiDecl =>
  d(name, 0, { kind: "data", size, init: init === undefined ? undefined : () => init }, doc, { arch });

/** _initterm(begin, end): call every non-null function pointer in [begin, end). */
function emitInitterm(a: Asm, c: EmitContext): Prolog | void {
  if (c.arch === "x64") {
    a.raw([0x56], "push rsi");
    a.raw([0x57], "push rdi");
    a.raw([0x48, 0x83, 0xec, 0x28], "sub rsp, 0x28");
    a.raw([0x48, 0x89, 0xce], "mov rsi, rcx");
    a.raw([0x48, 0x89, 0xd7], "mov rdi, rdx");
    a.label("_initterm$loop");
    a.raw([0x48, 0x39, 0xfe], "cmp rsi, rdi");
    a.raw([0x73, 0x10], "jae short _initterm$done");
    a.raw([0x48, 0x8b, 0x06], "mov rax, [rsi]");
    a.raw([0x48, 0x83, 0xc6, 0x08], "add rsi, 8");
    a.raw([0x48, 0x85, 0xc0], "test rax, rax");
    a.raw([0x74, 0xef], "je short _initterm$loop");
    a.raw([0xff, 0xd0], "call rax");
    a.raw([0xeb, 0xeb], "jmp short _initterm$loop");
    a.label("_initterm$done");
    a.raw([0x48, 0x83, 0xc4, 0x28], "add rsp, 0x28");
    a.raw([0x5f], "pop rdi");
    a.raw([0x5e], "pop rsi");
    a.raw([0xc3], "ret");
    return {
      size: 6,
      unwind: [
        { at: 1, op: "push", reg: 6 },
        { at: 2, op: "push", reg: 7 },
        { at: 6, op: "alloc", size: 0x28 },
      ],
    };
  }
  a.raw([0x56], "push esi");
  a.raw([0x57], "push edi");
  a.raw([0x8b, 0x74, 0x24, 0x0c], "mov esi, [esp+0xc]");
  a.raw([0x8b, 0x7c, 0x24, 0x10], "mov edi, [esp+0x10]");
  a.label("_initterm$loop");
  a.raw([0x39, 0xfe], "cmp esi, edi");
  a.raw([0x73, 0x0d], "jae short _initterm$done");
  a.raw([0x8b, 0x06], "mov eax, [esi]");
  a.raw([0x83, 0xc6, 0x04], "add esi, 4");
  a.raw([0x85, 0xc0], "test eax, eax");
  a.raw([0x74, 0xf3], "je short _initterm$loop");
  a.raw([0xff, 0xd0], "call eax");
  a.raw([0xeb, 0xef], "jmp short _initterm$loop");
  a.label("_initterm$done");
  a.raw([0x5f], "pop edi");
  a.raw([0x5e], "pop esi");
  a.raw([0xc3], "ret");
}

/**
 * exit(status) / _cexit(): call the registered _onexit functions, last first (each handed out by the
 * `_crt_next_onexit` trap), then exit: kernel32!ExitProcess(status); _cexit returns.
 */
function emitExit(a: Asm, c: EmitContext, terminate: boolean): Prolog | void {
  const name = terminate ? "exit" : "_cexit";
  if (c.arch === "x64") {
    a.raw([0x53], "push rbx");
    a.raw([0x48, 0x83, 0xec, 0x20], "sub rsp, 0x20");
    a.raw([0x89, 0xcb], "mov ebx, ecx");
    a.label(`${name}$next`);
    a.call("_crt_next_onexit");
    a.raw([0x48, 0x85, 0xc0], "test rax, rax");
    a.raw([0x74, 0x04], `je short ${name}$done`);
    a.raw([0xff, 0xd0], "call rax");
    a.raw([0xeb, 0xf2], `jmp short ${name}$next`);
    a.label(`${name}$done`);
    if (terminate) {
      a.raw([0x89, 0xd9], "mov ecx, ebx");
      a.callMem(at(c.imp("kernel32", "ExitProcess")));
      a.raw([0xcc], "int3");
    } else {
      a.raw([0x48, 0x83, 0xc4, 0x20], "add rsp, 0x20");
      a.raw([0x5b], "pop rbx");
      a.raw([0xc3], "ret");
    }
    return {
      size: 5,
      unwind: [
        { at: 1, op: "push", reg: 3 },
        { at: 5, op: "alloc", size: 0x20 },
      ],
    };
  }
  a.raw([0x53], "push ebx");
  a.raw([0x8b, 0x5c, 0x24, 0x08], "mov ebx, [esp+8]");
  a.label(`${name}$next`);
  a.call("_crt_next_onexit");
  a.raw([0x85, 0xc0], "test eax, eax");
  a.raw([0x74, 0x04], `je short ${name}$done`);
  a.raw([0xff, 0xd0], "call eax");
  a.raw([0xeb, 0xf3], `jmp short ${name}$next`);
  a.label(`${name}$done`);
  if (terminate) {
    a.raw([0x53], "push ebx");
    a.callMem(at(c.imp("kernel32", "ExitProcess")));
    a.raw([0xcc], "int3");
  } else {
    a.raw([0x5b], "pop ebx");
    a.raw([0xc3], "ret");
  }
}

export const MSVCRT: readonly ApiDecl[] = [
  // ---- start-up (what mingw-w64's crtexe.c / crt0 imports)
  d(
    "__getmainargs",
    5,
    TRAP,
    "int __getmainargs(int *argc, char ***argv, char ***envp, int doWildCard, _startupinfo *si)",
  ),
  d(
    "__wgetmainargs",
    5,
    TRAP,
    "int __wgetmainargs(int *argc, wchar_t ***argv, wchar_t ***envp, int doWildCard, _startupinfo *si)",
  ),
  d("__set_app_type", 1, TRAP, "void __set_app_type(int type)"),
  d("__setusermatherr", 1, TRAP, "void __setusermatherr(int (*handler)(struct _exception *))"),
  d("_initterm", 2, { kind: "code", emit: emitInitterm }, "void _initterm(_PVFV *begin, _PVFV *end)"),
  d("__iob_func", 0, TRAP, "FILE *__iob_func(void)"),
  d("__p__acmdln", 0, TRAP, "char **__p__acmdln(void)"),
  d("__p__wcmdln", 0, TRAP, "wchar_t **__p__wcmdln(void)"),
  d("__p__fmode", 0, TRAP, "int *__p__fmode(void)"),
  d("__p__commode", 0, TRAP, "int *__p__commode(void)"),
  d("__p___argc", 0, TRAP, "int *__p___argc(void)"),
  d("__p___argv", 0, TRAP, "char ***__p___argv(void)"),
  d("__p__environ", 0, TRAP, "char ***__p__environ(void)"),
  d("_onexit", 1, TRAP, "_onexit_t _onexit(_onexit_t function)"),
  d("atexit", 1, TRAP, "int atexit(void (*function)(void))"),
  d("__dllonexit", 3, TRAP, "_onexit_t __dllonexit(_onexit_t func, _PVFV **begin, _PVFV **end)"),
  d(
    "_crt_next_onexit",
    0,
    TRAP,
    "internal: the next _onexit function to call at exit (last registered first), or NULL",
    {
      exported: false,
    },
  ),
  d("exit", 1, { kind: "code", emit: (a, c) => emitExit(a, c, true) }, "void exit(int status)"),
  d("_cexit", 0, { kind: "code", emit: (a, c) => emitExit(a, c, false) }, "void _cexit(void)"),
  d("_c_exit", 0, TRAP, "void _c_exit(void)"),
  d(
    "_exit",
    1,
    { kind: "thunk", dll: "kernel32", name: "ExitProcess" },
    "void _exit(int status): ExitProcess, no _onexit functions",
  ),
  d("_amsg_exit", 1, TRAP, "void _amsg_exit(int rterrnum): runtime error message, exit code 255"),
  d("abort", 0, TRAP, "void abort(void)"),
  d("signal", 2, TRAP, "void (*signal(int sig, void (*func)(int)))(int)"),
  d("raise", 1, TRAP, "int raise(int sig)"),
  d("_lock", 1, TRAP, "void _lock(int locknum)"),
  d("_unlock", 1, TRAP, "void _unlock(int locknum)"),
  d("_errno", 0, TRAP, "int *_errno(void)"),
  d("___lc_codepage_func", 0, TRAP, "UINT ___lc_codepage_func(void)"),
  d("___mb_cur_max_func", 0, TRAP, "int ___mb_cur_max_func(void)"),
  d("localeconv", 0, TRAP, "struct lconv *localeconv(void)"),
  d("setlocale", 2, TRAP, "char *setlocale(int category, const char *locale)"),
  d("_controlfp", 2, TRAP, "unsigned int _controlfp(unsigned int new, unsigned int mask)"),
  d("_fpreset", 0, TRAP, "void _fpreset(void)"),
  d(
    "__C_specific_handler",
    4,
    TRAP,
    "EXCEPTION_DISPOSITION __C_specific_handler(PEXCEPTION_RECORD, void *EstablisherFrame, PCONTEXT, PDISPATCHER_CONTEXT)",
    {
      arch: "x64",
    },
  ),
  data("_iob", IOB_ENTRIES * 48, "FILE _iob[_IOB_ENTRIES] (x64: 48-byte FILE)", undefined, "x64"),
  data("_iob", IOB_ENTRIES * 32, "FILE _iob[_IOB_ENTRIES] (x86: 32-byte FILE)", undefined, "x86"),
  data("_fmode", 4, "int _fmode (0: text mode)", 0),
  data("_commode", 4, "int _commode", 0),
  data("_acmdln", 8, "char *_acmdln (set at the first C runtime call)", undefined, "x64"),
  data("_acmdln", 4, "char *_acmdln (set at the first C runtime call)", undefined, "x86"),
  data("__initenv", 8, "char **__initenv (set by __getmainargs)", undefined, "x64"),
  data("__initenv", 4, "char **__initenv (set by __getmainargs)", undefined, "x86"),
  data("__mb_cur_max", 4, "int __mb_cur_max (1: single-byte code page)", 1),

  // ---- stdio on streams (NtWriteFile on the stream's handle)
  d("printf", 1, WRITE, "int printf(const char *format, ...)"),
  d("vprintf", 2, WRITE, "int vprintf(const char *format, va_list argptr)"),
  d("fprintf", 2, WRITE, "int fprintf(FILE *stream, const char *format, ...)"),
  d("vfprintf", 3, WRITE, "int vfprintf(FILE *stream, const char *format, va_list argptr)"),
  d("puts", 1, WRITE, "int puts(const char *str)"),
  d("putchar", 1, WRITE, "int putchar(int c)"),
  d("fputs", 2, WRITE, "int fputs(const char *str, FILE *stream)"),
  d("fputc", 2, WRITE, "int fputc(int c, FILE *stream)"),
  d("putc", 2, WRITE, "int putc(int c, FILE *stream)"),
  d("fwrite", 4, WRITE, "size_t fwrite(const void *buffer, size_t size, size_t count, FILE *stream)"),
  d("fflush", 1, TRAP, "int fflush(FILE *stream)"),
  d("setvbuf", 4, TRAP, "int setvbuf(FILE *stream, char *buffer, int mode, size_t size)"),
  d("_fileno", 1, TRAP, "int _fileno(FILE *stream)"),
  d("fopen", 2, TRAP, "FILE *fopen(const char *filename, const char *mode)"),
  d("fclose", 1, TRAP, "int fclose(FILE *stream)"),
  d("fread", 4, TRAP, "size_t fread(void *buffer, size_t size, size_t count, FILE *stream)"),
  d("fgets", 3, TRAP, "char *fgets(char *str, int numChars, FILE *stream)"),
  d("fgetc", 1, TRAP, "int fgetc(FILE *stream)"),
  d("getchar", 0, TRAP, "int getchar(void)"),
  d("scanf", 1, TRAP, "int scanf(const char *format, ...)"),

  // ---- formatting into memory
  d("sprintf", 2, TRAP, "int sprintf(char *buffer, const char *format, ...)"),
  d("vsprintf", 3, TRAP, "int vsprintf(char *buffer, const char *format, va_list argptr)"),
  d("_snprintf", 3, TRAP, "int _snprintf(char *buffer, size_t count, const char *format, ...)"),
  d("_vsnprintf", 4, TRAP, "int _vsnprintf(char *buffer, size_t count, const char *format, va_list argptr)"),
  d("_scprintf", 1, TRAP, "int _scprintf(const char *format, ...)"),
  d("_vscprintf", 2, TRAP, "int _vscprintf(const char *format, va_list argptr)"),
  d("sscanf", 2, TRAP, "int sscanf(const char *buffer, const char *format, ...)"),

  // ---- heap (the process heap, RtlAllocateHeap and friends)
  d("malloc", 1, TRAP, "void *malloc(size_t size)"),
  d("calloc", 2, TRAP, "void *calloc(size_t number, size_t size)"),
  d("realloc", 2, TRAP, "void *realloc(void *memblock, size_t size)"),
  d("free", 1, TRAP, "void free(void *memblock)"),
  d("_msize", 1, TRAP, "size_t _msize(void *memblock)"),

  // ---- memory and strings
  d("memcpy", 3, TRAP, "void *memcpy(void *dest, const void *src, size_t count)"),
  d("memmove", 3, TRAP, "void *memmove(void *dest, const void *src, size_t count)"),
  d("memset", 3, TRAP, "void *memset(void *dest, int c, size_t count)"),
  d("memcmp", 3, TRAP, "int memcmp(const void *buffer1, const void *buffer2, size_t count)"),
  d("memchr", 3, TRAP, "void *memchr(const void *buffer, int c, size_t count)"),
  d("strlen", 1, TRAP, "size_t strlen(const char *str)"),
  d("wcslen", 1, TRAP, "size_t wcslen(const wchar_t *str)"),
  d("strcpy", 2, TRAP, "char *strcpy(char *dest, const char *src)"),
  d("strncpy", 3, TRAP, "char *strncpy(char *dest, const char *src, size_t count)"),
  d("strcat", 2, TRAP, "char *strcat(char *dest, const char *src)"),
  d("strncat", 3, TRAP, "char *strncat(char *dest, const char *src, size_t count)"),
  d("strcmp", 2, TRAP, "int strcmp(const char *string1, const char *string2)"),
  d("strncmp", 3, TRAP, "int strncmp(const char *string1, const char *string2, size_t count)"),
  d("_stricmp", 2, TRAP, "int _stricmp(const char *string1, const char *string2)"),
  d("_strnicmp", 3, TRAP, "int _strnicmp(const char *string1, const char *string2, size_t count)"),
  d("strchr", 2, TRAP, "char *strchr(const char *str, int c)"),
  d("strrchr", 2, TRAP, "char *strrchr(const char *str, int c)"),
  d("strstr", 2, TRAP, "char *strstr(const char *str, const char *strSearch)"),
  d("_strdup", 1, TRAP, "char *_strdup(const char *strSource)"),
  d("strerror", 1, TRAP, "char *strerror(int errnum)"),

  // ---- stdlib and ctype
  d("atoi", 1, TRAP, "int atoi(const char *str)"),
  d("atol", 1, TRAP, "long atol(const char *str)"),
  d("strtol", 3, TRAP, "long strtol(const char *strSource, char **endptr, int base)"),
  d("strtoul", 3, TRAP, "unsigned long strtoul(const char *strSource, char **endptr, int base)"),
  d("_strtoi64", 3, TRAP, "__int64 _strtoi64(const char *strSource, char **endptr, int base)"),
  d("_strtoui64", 3, TRAP, "unsigned __int64 _strtoui64(const char *strSource, char **endptr, int base)"),
  d("abs", 1, TRAP, "int abs(int n)"),
  d("labs", 1, TRAP, "long labs(long n)"),
  d("rand", 0, TRAP, "int rand(void)"),
  d("srand", 1, TRAP, "void srand(unsigned int seed)"),
  d("getenv", 1, TRAP, "char *getenv(const char *varname)"),
  d("toupper", 1, TRAP, "int toupper(int c)"),
  d("tolower", 1, TRAP, "int tolower(int c)"),
  d("isalpha", 1, TRAP, "int isalpha(int c)"),
  d("isdigit", 1, TRAP, "int isdigit(int c)"),
  d("isspace", 1, TRAP, "int isspace(int c)"),
  d("isalnum", 1, TRAP, "int isalnum(int c)"),
  d("isupper", 1, TRAP, "int isupper(int c)"),
  d("islower", 1, TRAP, "int islower(int c)"),
  d("isxdigit", 1, TRAP, "int isxdigit(int c)"),
  d("isprint", 1, TRAP, "int isprint(int c)"),
  d("ispunct", 1, TRAP, "int ispunct(int c)"),
  d("iscntrl", 1, TRAP, "int iscntrl(int c)"),
  d("time", 1, TRAP, "time_t time(time_t *destTime) (msvcrt.dll: 32-bit time_t on x86, 64-bit on x64)"),
  d("clock", 0, TRAP, "clock_t clock(void)"),
];
