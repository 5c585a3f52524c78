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
 * - `calls`: the functions that open, read, seek, close, find and delete files, calling kernel32 as msvcrt
 *   does (CreateFileW, ReadFile, SetFilePointerEx, CloseHandle, FindFirstFileW, DeleteFileW…): real code
 *   around a trap that hands out each call (crt-io.ts), so their system calls are visible and breakable.
 * - `data`: `_iob`, `_fmode`, `_commode`, `_acmdln`, `_wcmdln`, `__initenv`, `__winitenv`, `__mb_cur_max`.
 */
import { at, type Asm } from "./asm";
import type { ApiDecl, ApiImpl, Arch, EmitContext, Prolog } from "./decl";

const TRAP: ApiImpl = { kind: "trap" };
const WRITE: ApiImpl = { kind: "bridge", nt: "NtWriteFile" };
const CALLS: ApiImpl = { kind: "calls" };

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

/**
 * msvcrt's internal thread start routines (LPTHREAD_START_ROUTINE, the parameter msvcrt's per-thread block
 * {start_address, arglist}, api/crt-thread.ts): `_threadstartex` calls the __stdcall start_address(arglist)
 * and then _endthreadex(its result); `_threadstart` calls the __cdecl one and then _endthread().
 */
function emitThreadStart(a: Asm, c: EmitContext, ex: boolean): Prolog | void {
  const end = ex ? "_endthreadex" : "_endthread";
  if (c.arch === "x64") {
    a.raw([0x48, 0x83, 0xec, 0x28], "sub rsp, 0x28");
    a.raw([0x48, 0x89, 0xc8], "mov rax, rcx");
    a.raw([0x48, 0x8b, 0x48, 0x08], "mov rcx, [rax+8]");
    a.raw([0xff, 0x10], "call qword ptr [rax]");
    a.raw([0x89, 0xc1], "mov ecx, eax");
    a.call(end);
    a.raw([0xcc], "int3");
    return { size: 4, unwind: [{ at: 4, op: "alloc", size: 0x28 }] };
  }
  a.raw([0x55], "push ebp");
  a.raw([0x89, 0xe5], "mov ebp, esp");
  a.raw([0x8b, 0x45, 0x08], "mov eax, [ebp+8]");
  a.raw([0xff, 0x70, 0x04], "push dword ptr [eax+4]");
  a.raw([0xff, 0x10], "call dword ptr [eax]");
  a.raw([0x89, 0xec], "mov esp, ebp"); // a __stdcall routine popped its argument, a __cdecl one did not
  a.raw([0x50], "push eax");
  a.call(end);
  a.raw([0xcc], "int3");
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
  // Forwarded to ntdll, as Windows 10's x64 msvcrt.dll does (implemented in api/exceptions-frames.ts).
  d(
    "__C_specific_handler",
    4,
    { kind: "forward", to: "NTDLL.__C_specific_handler" },
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
  d("_write", 3, WRITE, "int _write(int fd, const void *buffer, unsigned int count)"),

  // ---- streams and files (crt-io.ts: the process's file system and kernel handles)
  d("fflush", 1, TRAP, "int fflush(FILE *stream)"),
  d("_flushall", 0, TRAP, "int _flushall(void)"),
  d("setvbuf", 4, TRAP, "int setvbuf(FILE *stream, char *buffer, int mode, size_t size)"),
  d("setbuf", 2, TRAP, "void setbuf(FILE *stream, char *buffer)"),
  d("_fileno", 1, TRAP, "int _fileno(FILE *stream)"),
  d("fopen", 2, CALLS, "FILE *fopen(const char *filename, const char *mode)"),
  d("_wfopen", 2, CALLS, "FILE *_wfopen(const wchar_t *filename, const wchar_t *mode)"),
  d("_fdopen", 2, TRAP, "FILE *_fdopen(int fd, const char *mode)"),
  d("freopen", 3, CALLS, "FILE *freopen(const char *path, const char *mode, FILE *stream)"),
  d("fclose", 1, CALLS, "int fclose(FILE *stream)"),
  d("_fcloseall", 0, CALLS, "int _fcloseall(void)"),
  d("fread", 4, CALLS, "size_t fread(void *buffer, size_t size, size_t count, FILE *stream)"),
  d("fgets", 3, CALLS, "char *fgets(char *str, int numChars, FILE *stream)"),
  d("gets", 1, CALLS, "char *gets(char *buffer)"),
  d("fgetc", 1, CALLS, "int fgetc(FILE *stream)"),
  d("getc", 1, CALLS, "int getc(FILE *stream)"),
  d("_fgetchar", 0, CALLS, "int _fgetchar(void)"),
  d("getchar", 0, CALLS, "int getchar(void)"),
  d("ungetc", 2, TRAP, "int ungetc(int c, FILE *stream)"),
  d("feof", 1, TRAP, "int feof(FILE *stream)"),
  d("ferror", 1, TRAP, "int ferror(FILE *stream)"),
  d("clearerr", 1, TRAP, "void clearerr(FILE *stream)"),
  d("fseek", 3, CALLS, "int fseek(FILE *stream, long offset, int origin)"),
  d("_fseeki64", 3, CALLS, "int _fseeki64(FILE *stream, __int64 offset, int origin)"),
  d("ftell", 1, CALLS, "long ftell(FILE *stream)"),
  d("_ftelli64", 1, CALLS, "__int64 _ftelli64(FILE *stream)"),
  d("rewind", 1, CALLS, "void rewind(FILE *stream)"),
  d("fgetpos", 2, CALLS, "int fgetpos(FILE *stream, fpos_t *pos)"),
  d("fsetpos", 2, CALLS, "int fsetpos(FILE *stream, const fpos_t *pos)"),
  d("scanf", 1, CALLS, "int scanf(const char *format, ...)"),
  d("fscanf", 2, CALLS, "int fscanf(FILE *stream, const char *format, ...)"),
  d("_open", 3, CALLS, "int _open(const char *filename, int oflag, int pmode)"),
  d("_wopen", 3, CALLS, "int _wopen(const wchar_t *filename, int oflag, int pmode)"),
  d("_creat", 2, CALLS, "int _creat(const char *filename, int pmode)"),
  d("_close", 1, CALLS, "int _close(int fd)"),
  d("_read", 3, CALLS, "int _read(int fd, void *buffer, unsigned int count)"),
  d("_lseek", 3, CALLS, "long _lseek(int fd, long offset, int origin)"),
  d("_lseeki64", 3, CALLS, "__int64 _lseeki64(int fd, __int64 offset, int origin)"),
  d("_tell", 1, CALLS, "long _tell(int fd)"),
  d("_eof", 1, TRAP, "int _eof(int fd)"),
  d("_filelength", 1, TRAP, "long _filelength(int fd)"),
  d("_commit", 1, TRAP, "int _commit(int fd)"),
  d("_isatty", 1, TRAP, "int _isatty(int fd)"),
  d("_setmode", 2, TRAP, "int _setmode(int fd, int mode)"),
  d("_get_osfhandle", 1, TRAP, "intptr_t _get_osfhandle(int fd)"),
  d("_access", 2, CALLS, "int _access(const char *path, int mode)"),
  d("_waccess", 2, CALLS, "int _waccess(const wchar_t *path, int mode)"),
  d("_stat", 2, TRAP, "int _stat(const char *path, struct _stat *buffer) (x86: _stat32, x64: _stat64i32)"),
  d("_stat64", 2, TRAP, "int _stat64(const char *path, struct _stat64 *buffer)"),
  d("_wstat", 2, TRAP, "int _wstat(const wchar_t *path, struct _stat *buffer)"),
  d("_fstat", 2, TRAP, "int _fstat(int fd, struct _stat *buffer) (x86: _stat32, x64: _stat64i32)"),
  d("_fstat64", 2, TRAP, "int _fstat64(int fd, struct _stat64 *buffer)"),
  d("remove", 1, CALLS, "int remove(const char *path)"),
  d("_unlink", 1, CALLS, "int _unlink(const char *path)"),
  d("_wremove", 1, CALLS, "int _wremove(const wchar_t *path)"),
  d("_wunlink", 1, CALLS, "int _wunlink(const wchar_t *path)"),
  d("rename", 2, CALLS, "int rename(const char *oldname, const char *newname)"),
  d("tmpnam", 1, CALLS, "char *tmpnam(char *str)"),
  d("tmpfile", 0, CALLS, "FILE *tmpfile(void)"),
  d("_wrename", 2, CALLS, "int _wrename(const wchar_t *oldname, const wchar_t *newname)"),
  d("_mkdir", 1, CALLS, "int _mkdir(const char *dirname)"),
  d("_wmkdir", 1, CALLS, "int _wmkdir(const wchar_t *dirname)"),
  d("_rmdir", 1, CALLS, "int _rmdir(const char *dirname)"),
  d("_wrmdir", 1, CALLS, "int _wrmdir(const wchar_t *dirname)"),
  d("_chdir", 1, TRAP, "int _chdir(const char *dirname)"),
  d("_wchdir", 1, TRAP, "int _wchdir(const wchar_t *dirname)"),
  d("_getcwd", 2, TRAP, "char *_getcwd(char *buffer, int maxlen)"),
  d("_wgetcwd", 2, TRAP, "wchar_t *_wgetcwd(wchar_t *buffer, int maxlen)"),
  d(
    "_findfirst",
    2,
    CALLS,
    "intptr_t _findfirst(const char *filespec, struct _finddata_t *fileinfo) (x86: _finddata32_t, x64: _finddata64i32_t)",
  ),
  d("_findnext", 2, CALLS, "int _findnext(intptr_t handle, struct _finddata_t *fileinfo)"),
  d("_findfirst64", 2, CALLS, "intptr_t _findfirst64(const char *filespec, struct __finddata64_t *fileinfo)"),
  d("_findnext64", 2, CALLS, "int _findnext64(intptr_t handle, struct __finddata64_t *fileinfo)"),
  d("_findclose", 1, CALLS, "int _findclose(intptr_t handle)"),

  // ---- wide stdio (crt-stdio.ts, crt-io.ts): %s/%c wide, %S/%C narrow; output in the "C" locale
  d("wprintf", 1, WRITE, "int wprintf(const wchar_t *format, ...)"),
  d("vwprintf", 2, WRITE, "int vwprintf(const wchar_t *format, va_list argptr)"),
  d("fwprintf", 2, WRITE, "int fwprintf(FILE *stream, const wchar_t *format, ...)"),
  d("vfwprintf", 3, WRITE, "int vfwprintf(FILE *stream, const wchar_t *format, va_list argptr)"),
  d("swprintf", 2, TRAP, "int swprintf(wchar_t *buffer, const wchar_t *format, ...) (msvcrt: no count)"),
  d("_swprintf", 2, TRAP, "int _swprintf(wchar_t *buffer, const wchar_t *format, ...)"),
  d(
    "vswprintf",
    3,
    TRAP,
    "int vswprintf(wchar_t *buffer, const wchar_t *format, va_list argptr) (msvcrt: no count)",
  ),
  d("_vswprintf", 3, TRAP, "int _vswprintf(wchar_t *buffer, const wchar_t *format, va_list argptr)"),
  d("_snwprintf", 3, TRAP, "int _snwprintf(wchar_t *buffer, size_t count, const wchar_t *format, ...)"),
  d(
    "_vsnwprintf",
    4,
    TRAP,
    "int _vsnwprintf(wchar_t *buffer, size_t count, const wchar_t *format, va_list argptr)",
  ),
  d("_scwprintf", 1, TRAP, "int _scwprintf(const wchar_t *format, ...)"),
  d("_vscwprintf", 2, TRAP, "int _vscwprintf(const wchar_t *format, va_list argptr)"),
  d("swscanf", 2, TRAP, "int swscanf(const wchar_t *buffer, const wchar_t *format, ...)"),
  d("wscanf", 1, CALLS, "int wscanf(const wchar_t *format, ...)"),
  d("fwscanf", 2, CALLS, "int fwscanf(FILE *stream, const wchar_t *format, ...)"),

  // ---- threads (crt-thread.ts: kernel32!CreateThread / ExitThread as guest calls)
  d(
    "_beginthreadex",
    6,
    CALLS,
    "uintptr_t _beginthreadex(void *security, unsigned stack_size, unsigned (__stdcall *start_address)(void *), void *arglist, unsigned initflag, unsigned *thrdaddr)",
  ),
  d(
    "_beginthread",
    3,
    CALLS,
    "uintptr_t _beginthread(void (__cdecl *start_address)(void *), unsigned stack_size, void *arglist)",
  ),
  d("_endthreadex", 1, CALLS, "void _endthreadex(unsigned retval)"),
  d("_endthread", 0, CALLS, "void _endthread(void)"),
  d(
    "_threadstartex",
    1,
    { kind: "code", emit: (a, c) => emitThreadStart(a, c, true) },
    "internal: DWORD WINAPI _threadstartex(void *ptd): start_address(arglist), then _endthreadex",
    { exported: false },
  ),
  d(
    "_threadstart",
    1,
    { kind: "code", emit: (a, c) => emitThreadStart(a, c, false) },
    "internal: DWORD WINAPI _threadstart(void *ptd): start_address(arglist), then _endthread",
    { exported: false },
  ),

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

  // ---- stdlib, strings, environment (crt-stdlib.ts)
  d(
    "qsort",
    4,
    TRAP,
    "void qsort(void *base, size_t number, size_t width, int (*compare)(const void *, const void *))",
  ),
  d(
    "bsearch",
    5,
    TRAP,
    "void *bsearch(const void *key, const void *base, size_t number, size_t width, int (*compare)(const void *, const void *))",
  ),
  d("strtod", 2, TRAP, "double strtod(const char *strSource, char **endptr)"),
  d("atof", 1, TRAP, "double atof(const char *str)"),
  d("_itoa", 3, TRAP, "char *_itoa(int value, char *buffer, int radix)"),
  d("_ltoa", 3, TRAP, "char *_ltoa(long value, char *buffer, int radix)"),
  d("_ultoa", 3, TRAP, "char *_ultoa(unsigned long value, char *buffer, int radix)"),
  d("_i64toa", 4, TRAP, "char *_i64toa(__int64 value, char *buffer, int radix)"),
  d("_ui64toa", 4, TRAP, "char *_ui64toa(unsigned __int64 value, char *buffer, int radix)"),
  d("div", 2, TRAP, "div_t div(int numer, int denom)"),
  d("ldiv", 2, TRAP, "ldiv_t ldiv(long numer, long denom)"),
  d("strtok", 2, TRAP, "char *strtok(char *strToken, const char *strDelimit)"),
  d("strspn", 2, TRAP, "size_t strspn(const char *str, const char *strCharSet)"),
  d("strcspn", 2, TRAP, "size_t strcspn(const char *str, const char *strCharSet)"),
  d("strpbrk", 2, TRAP, "char *strpbrk(const char *str, const char *strCharSet)"),
  d("_strlwr", 1, TRAP, "char *_strlwr(char *str)"),
  d("_strupr", 1, TRAP, "char *_strupr(char *str)"),
  d("_strrev", 1, TRAP, "char *_strrev(char *str)"),
  d("_memccpy", 4, TRAP, "void *_memccpy(void *dest, const void *src, int c, size_t count)"),
  d("wcscpy", 2, TRAP, "wchar_t *wcscpy(wchar_t *dest, const wchar_t *src)"),
  d("wcscat", 2, TRAP, "wchar_t *wcscat(wchar_t *dest, const wchar_t *src)"),
  d("wcsncpy", 3, TRAP, "wchar_t *wcsncpy(wchar_t *dest, const wchar_t *src, size_t count)"),
  d("wcscmp", 2, TRAP, "int wcscmp(const wchar_t *string1, const wchar_t *string2)"),
  d("wcsncmp", 3, TRAP, "int wcsncmp(const wchar_t *string1, const wchar_t *string2, size_t count)"),
  d("_wcsicmp", 2, TRAP, "int _wcsicmp(const wchar_t *string1, const wchar_t *string2)"),
  d("wcschr", 2, TRAP, "wchar_t *wcschr(const wchar_t *str, wchar_t c)"),
  d("wcsrchr", 2, TRAP, "wchar_t *wcsrchr(const wchar_t *str, wchar_t c)"),
  d("wcsstr", 2, TRAP, "wchar_t *wcsstr(const wchar_t *str, const wchar_t *strSearch)"),
  d("_putenv", 1, CALLS, "int _putenv(const char *envstring)"),
  d("_wputenv", 1, CALLS, "int _wputenv(const wchar_t *envstring)"),
  d("_wgetenv", 1, TRAP, "wchar_t *_wgetenv(const wchar_t *varname)"),

  // ---- time (crt-stdlib.ts: the kernel's virtual clock; local time is UTC)
  d("time", 1, TRAP, "time_t time(time_t *destTime) (msvcrt.dll: 32-bit time_t on x86, 64-bit on x64)"),
  d("_time64", 1, TRAP, "__time64_t _time64(__time64_t *destTime)"),
  d("gmtime", 1, TRAP, "struct tm *gmtime(const time_t *sourceTime)"),
  d("_gmtime64", 1, TRAP, "struct tm *_gmtime64(const __time64_t *sourceTime)"),
  d("localtime", 1, TRAP, "struct tm *localtime(const time_t *sourceTime)"),
  d("_localtime64", 1, TRAP, "struct tm *_localtime64(const __time64_t *sourceTime)"),
  d("mktime", 1, TRAP, "time_t mktime(struct tm *timeptr)"),
  d("_mktime64", 1, TRAP, "__time64_t _mktime64(struct tm *timeptr)"),
  d("_mkgmtime", 1, TRAP, "time_t _mkgmtime(struct tm *timeptr)"),
  d("asctime", 1, TRAP, "char *asctime(const struct tm *timeptr)"),
  d("ctime", 1, TRAP, "char *ctime(const time_t *sourceTime)"),
  d("_ctime64", 1, TRAP, "char *_ctime64(const __time64_t *sourceTime)"),
  d("difftime", 2, TRAP, "double difftime(time_t timeEnd, time_t timeStart)"),
  d("_difftime64", 4, TRAP, "double _difftime64(__time64_t timeEnd, __time64_t timeStart)"),
  d(
    "strftime",
    4,
    TRAP,
    "size_t strftime(char *strDest, size_t maxsize, const char *format, const struct tm *timeptr)",
  ),
  d("clock", 0, TRAP, "clock_t clock(void)"),

  // ---- math.h (crt-math.ts: double results in XMM0 on x64, ST(0) on x86; argc counts x86 dwords)
  d("sqrt", 2, TRAP, "double sqrt(double x)"),
  d("sin", 2, TRAP, "double sin(double x)"),
  d("cos", 2, TRAP, "double cos(double x)"),
  d("tan", 2, TRAP, "double tan(double x)"),
  d("asin", 2, TRAP, "double asin(double x)"),
  d("acos", 2, TRAP, "double acos(double x)"),
  d("atan", 2, TRAP, "double atan(double x)"),
  d("sinh", 2, TRAP, "double sinh(double x)"),
  d("cosh", 2, TRAP, "double cosh(double x)"),
  d("tanh", 2, TRAP, "double tanh(double x)"),
  d("exp", 2, TRAP, "double exp(double x)"),
  d("log", 2, TRAP, "double log(double x)"),
  d("log10", 2, TRAP, "double log10(double x)"),
  d("fabs", 2, TRAP, "double fabs(double x)"),
  d("floor", 2, TRAP, "double floor(double x)"),
  d("ceil", 2, TRAP, "double ceil(double x)"),
  d("atan2", 4, TRAP, "double atan2(double y, double x)"),
  d("pow", 4, TRAP, "double pow(double x, double y)"),
  d("fmod", 4, TRAP, "double fmod(double x, double y)"),
  d("modf", 3, TRAP, "double modf(double x, double *intptr)"),
  d("frexp", 3, TRAP, "double frexp(double x, int *expptr)"),
  d("ldexp", 3, TRAP, "double ldexp(double x, int exp)"),
  d("_hypot", 4, TRAP, "double _hypot(double x, double y)"),
  d("_copysign", 4, TRAP, "double _copysign(double x, double y)"),
  d("_chgsign", 2, TRAP, "double _chgsign(double x)"),
  d("_isnan", 2, TRAP, "int _isnan(double x)"),
  d("_finite", 2, TRAP, "int _finite(double x)"),
  d("_fpclass", 2, TRAP, "int _fpclass(double x)"),
  // ---- real programs' further imports (api/crt-extra.ts)
  data("_wcmdln", 8, "wchar_t *_wcmdln (set at the first C runtime call)", undefined, "x64"),
  data("_wcmdln", 4, "wchar_t *_wcmdln (set at the first C runtime call)", undefined, "x86"),
  data("__winitenv", 8, "wchar_t **__winitenv (set by __wgetmainargs)", undefined, "x64"),
  data("__winitenv", 4, "wchar_t **__winitenv (set by __wgetmainargs)", undefined, "x86"),
  d("perror", 1, WRITE, "void perror(const char *string)"),
  d("fputwc", 2, WRITE, "wint_t fputwc(wchar_t c, FILE *stream)"),
  d("putwc", 2, WRITE, "wint_t putwc(wchar_t c, FILE *stream)"),
  d("getwc", 1, CALLS, "wint_t getwc(FILE *stream)"),
  d("fgetwc", 1, CALLS, "wint_t fgetwc(FILE *stream)"),
  d("ungetwc", 2, TRAP, "wint_t ungetwc(wint_t c, FILE *stream)"),
  d("_filelengthi64", 1, TRAP, "__int64 _filelengthi64(int fd)"),
  d("mbstowcs", 3, TRAP, "size_t mbstowcs(wchar_t *wcstr, const char *mbstr, size_t count)"),
  d("wcstombs", 3, TRAP, "size_t wcstombs(char *mbstr, const wchar_t *wcstr, size_t count)"),
  d("strcpy_s", 3, TRAP, "errno_t strcpy_s(char *dest, rsize_t dest_size, const char *src)"),
  d("strcat_s", 3, TRAP, "errno_t strcat_s(char *dest, rsize_t dest_size, const char *src)"),
  d("wcscpy_s", 3, TRAP, "errno_t wcscpy_s(wchar_t *dest, rsize_t dest_size, const wchar_t *src)"),
  d("wcscat_s", 3, TRAP, "errno_t wcscat_s(wchar_t *dest, rsize_t dest_size, const wchar_t *src)"),
  d("iswctype", 2, TRAP, "int iswctype(wint_t c, wctype_t desc)"),
  d("towlower", 1, TRAP, "wint_t towlower(wint_t c)"),
  d("towupper", 1, TRAP, "wint_t towupper(wint_t c)"),
  d("strcoll", 2, TRAP, "int strcoll(const char *string1, const char *string2)"),
  d("wcscoll", 2, TRAP, "int wcscoll(const wchar_t *string1, const wchar_t *string2)"),
  d("strxfrm", 3, TRAP, "size_t strxfrm(char *strDest, const char *strSource, size_t count)"),
  d("wcsxfrm", 3, TRAP, "size_t wcsxfrm(wchar_t *strDest, const wchar_t *strSource, size_t count)"),
  d(
    "wcsftime",
    4,
    TRAP,
    "size_t wcsftime(wchar_t *strDest, size_t maxsize, const wchar_t *format, const struct tm *timeptr)",
  ),
];
