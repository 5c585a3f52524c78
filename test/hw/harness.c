/*
 * wowdbg hardware test-vector harness.
 *
 * Reads case lines on stdin (as written by gen.py, format in README.md), runs each instruction once on
 * the real CPU of this x86-64 Linux host -- in 64-bit mode directly, in 32-bit mode through the
 * kernel's compatibility-mode code segment 0x23 -- and prints the completed vector line on stdout:
 *
 *   <bits> <hex bytes> | in: <fields> | mask: <fields> | <text>        (input)
 *   <bits> <hex bytes> | in: <fields> | out: <fields> | mask: <fields> | <text>   (output)
 *
 * Lines starting with '#' and empty lines are copied through. A case whose execution breaks one of the
 * harness's own rules (wrote outside the data buffer, stopped at a wrong address...) is reported on
 * stderr and printed with "out: ERR"; gen.py refuses such output.
 *
 * Fixed addresses (also in stubs.asm and the TypeScript test):
 *   BLOB 0x20000000 stubs, STATE 0x20001000 register images, CODE 0x20010000 (one page),
 *   DATA 0x20020fe0 (64 bytes, straddling the boundary of the two pages mapped at 0x20020000),
 *   DATA2 0x20030000 (512 bytes at the start of one page: fxsave/fnsave images).
 *
 * A case normally ends at the `jmp [exit]` placed after its bytes. The rest of the code page is int3
 * (0xCC): a branch that lands there traps (SIGTRAP) and its state is taken from the signal context; the
 * vector then says where it landed (`rip=`). A branch to an unmapped page shows as the fetch #PF at the
 * target and is reported the same way (`rip=`, no exception).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define BLOB 0x20000000UL
#define STATE 0x20001000UL
#define CODE 0x20010000UL
#define DATA_PAGES 0x20020000UL /* two pages */
#define DATA 0x20020fe0UL
#define DATA_SIZE 64
#define DATA2 0x20030000UL
#define DATA2_SIZE 512
#define PAGE 4096

/* The state area, as stubs.asm addresses it. */
struct state {
    uint64_t in_g[16]; /* 0x000 */
    uint64_t in_fl;    /* 0x080 */
    uint64_t saved_rsp;
    uint64_t ptr_code; /* 0x090 */
    uint64_t ptr_exit64;
    uint64_t ptr_exit32;
    uint64_t saved_fsbase; /* 0x0a8 */
    uint64_t saved_gsbase; /* 0x0b0 */
    uint8_t pad0[0x100 - 0x0b8];
    uint64_t out_g[16]; /* 0x100 */
    uint64_t out_fl;    /* 0x180 */
    uint16_t out_seg[6]; /* 0x188: es cs ss ds fs gs */
    uint8_t pad1[0x200 - 0x194];
    uint8_t in_fx[512];  /* 0x200 */
    uint8_t out_fx[512]; /* 0x400 */
};
#define S ((struct state *)STATE)

extern const unsigned char stubs_bin[], stubs_end[];
__asm__(".section .rodata\n.balign 16\n.global stubs_bin\nstubs_bin:\n.incbin \"build/stubs.bin\"\n"
        ".global stubs_end\nstubs_end:\n.previous\n");

static const char *g64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                              "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *g32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *sregs[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

/* ---------------------------------------------------------------- faults */

static sigjmp_buf jb;
static volatile int fault_trap = -1;
static volatile uint64_t fault_rip, fault_cr2;
static volatile int fault_has_ss;
static char altstack[65536];

static void on_signal(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    static const int map[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    (void)si;
    (void)sig;
    for (int i = 0; i < 16; i++) S->out_g[i] = (uint64_t)g[map[i]];
    S->out_fl = (uint64_t)g[REG_EFL];
    if (uc->uc_mcontext.fpregs) memcpy(S->out_fx, uc->uc_mcontext.fpregs, 512);
    fault_trap = (int)g[REG_TRAPNO];
    fault_rip = (uint64_t)g[REG_RIP];
    fault_cr2 = (uint64_t)g[REG_CR2];
    /* cs, gs, fs, ss (ss only with UC_SIGCONTEXT_SS); ds/es are not in the context (unchanged by a fault) */
    uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
    S->out_seg[1] = (uint16_t)csgsfs;
    fault_has_ss = (uc->uc_flags & 2) != 0;
    if (fault_has_ss) S->out_seg[2] = (uint16_t)(csgsfs >> 48);
    siglongjmp(jb, 1);
}

static const char *trap_name(int t) {
    switch (t) {
    case 0: return "DE";
    case 1: return "DB";
    case 3: return "BP";
    case 4: return "OF";
    case 5: return "BR";
    case 6: return "UD";
    case 7: return "NM";
    case 11: return "NP";
    case 12: return "SS";
    case 13: return "GP";
    case 14: return "PF";
    case 16: return "MF";
    case 17: return "AC";
    case 19: return "XM";
    default: return "??";
    }
}

/* ---------------------------------------------------------------- 80-bit <-> double */

static void d_to_ext(uint64_t d, uint8_t out[10]) {
    uint64_t sign = d >> 63, exp = (d >> 52) & 0x7ff, frac = d & 0xfffffffffffffULL, m;
    uint32_t e;
    if (exp == 0x7ff) {
        e = 0x7fff;
        m = (1ULL << 63) | (frac << 11);
    } else if (exp == 0) {
        if (frac == 0) {
            e = 0;
            m = 0;
        } else {
            int n = 63 - __builtin_clzll(frac);
            m = frac << (63 - n);
            e = (uint32_t)(15309 + n);
        }
    } else {
        e = (uint32_t)(exp - 1023 + 16383);
        m = (1ULL << 63) | (frac << 11);
    }
    memcpy(out, &m, 8);
    uint16_t se = (uint16_t)(e | (sign << 15));
    memcpy(out + 8, &se, 2);
}

/* Converts with round-to-nearest-even; the caller runs this with the x87 in its FNINIT state. */
static uint64_t ext_to_d(const uint8_t in[10]) {
    uint64_t m;
    uint16_t se;
    memcpy(&m, in, 8);
    memcpy(&se, in + 8, 2);
    if ((se & 0x7fff) == 0x7fff) {
        uint64_t sign = (uint64_t)(se >> 15) << 63;
        uint64_t frac = (m << 1) >> 12; /* top 52 fraction bits, NaN payload truncated like FST */
        return sign | (0x7ffULL << 52) | frac;
    }
    long double ld;
    memset(&ld, 0, sizeof ld);
    memcpy(&ld, in, 10);
    double d = (double)ld;
    uint64_t r;
    memcpy(&r, &d, 8);
    return r;
}

/* ---------------------------------------------------------------- parsing */

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex_bytes(const char *s, size_t n, uint8_t *out, size_t max) {
    if (n % 2 || n / 2 > max) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
        if (a < 0 || b < 0) return -1;
        out[i] = (uint8_t)(a * 16 + b);
    }
    return (int)(n / 2);
}

static int parse_u64(const char *s, size_t n, uint64_t *v) {
    if (n == 0 || n > 16) return -1;
    uint64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        int h = hexval(s[i]);
        if (h < 0) return -1;
        r = r * 16 + (uint64_t)h;
    }
    *v = r;
    return 0;
}

/* 128-bit value, most significant hex digit first, into 16 little-endian bytes. */
static int parse_xmm(const char *s, size_t n, uint8_t out[16]) {
    if (n != 32) return -1;
    for (int i = 0; i < 16; i++) {
        int a = hexval(s[2 * i]), b = hexval(s[2 * i + 1]);
        if (a < 0 || b < 0) return -1;
        out[15 - i] = (uint8_t)(a * 16 + b);
    }
    return 0;
}

struct input {
    int bits;
    uint8_t code[16];
    int len;
    uint64_t g[16];
    uint64_t fl;
    uint8_t mem[DATA_SIZE];
    int has_mem;
    uint8_t fx[512];
    int has_x87; /* any of fcw/fsw/st given */
    uint8_t mem2[DATA2_SIZE];
    int mmx_view;  /* any of mmN/ftw given: MMX registers and the abridged tag are printed instead of st */
    int has_mm[8];
    uint64_t mm[8];
    int has_ftw;
    uint8_t ftw;
    int top; /* MMX view: TOP (MMX instructions set it to 0) */
};

static int gpr_index(const char *k, size_t kn, int bits) {
    int n = bits == 64 ? 16 : 8;
    for (int i = 0; i < n; i++) {
        const char *name = bits == 64 ? g64[i] : g32[i];
        if (strlen(name) == kn && !memcmp(name, k, kn)) return i;
    }
    return -1;
}

static void fx_default(uint8_t fx[512]) {
    memset(fx, 0, 512);
    uint16_t fcw = 0x037f;
    uint32_t mx = 0x1f80;
    memcpy(fx + 0, &fcw, 2);
    memcpy(fx + 24, &mx, 4);
}

/* Parses the "in:" fields. Returns 0 or -1 with a message in err. */
static int parse_in(char *p, struct input *in, char *err) {
    uint16_t fsw = 0;
    int depth = 0;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        char *k = p;
        while (*p && *p != '=' && *p != ' ') p++;
        if (*p != '=') {
            sprintf(err, "bad field near '%.20s'", k);
            return -1;
        }
        size_t kn = (size_t)(p - k);
        char *v = ++p;
        while (*p && *p != ' ') p++;
        size_t vn = (size_t)(p - v);
        int gi = gpr_index(k, kn, in->bits);
        uint64_t x;
        if (gi >= 0) {
            if (vn != (size_t)(in->bits / 4) || parse_u64(v, vn, &x)) goto bad;
            in->g[gi] = x;
        } else if (kn == 2 && !memcmp(k, "fl", 2)) {
            if (parse_u64(v, vn, &x)) goto bad;
            in->fl = x;
        } else if (kn == 3 && !memcmp(k, "mem", 3)) {
            if (parse_hex_bytes(v, vn, in->mem, DATA_SIZE) != DATA_SIZE) goto bad;
            in->has_mem = 1;
        } else if (k[0] == 'x' && kn >= 2 && kn <= 3 && isdigit((unsigned char)k[1])) {
            int r = atoi(k + 1);
            if (r >= (in->bits == 64 ? 16 : 8) || parse_xmm(v, vn, in->fx + 160 + 16 * r)) goto bad;
        } else if (kn == 5 && !memcmp(k, "mxcsr", 5)) {
            if (parse_u64(v, vn, &x)) goto bad;
            uint32_t m = (uint32_t)x;
            memcpy(in->fx + 24, &m, 4);
        } else if (kn == 3 && !memcmp(k, "fcw", 3)) {
            if (parse_u64(v, vn, &x)) goto bad;
            uint16_t c = (uint16_t)x;
            memcpy(in->fx, &c, 2);
            in->has_x87 = 1;
        } else if (kn == 3 && !memcmp(k, "fsw", 3)) {
            if (parse_u64(v, vn, &x) || (x & 0x3800)) goto bad;
            fsw = (uint16_t)x;
            in->has_x87 = 1;
        } else if (kn == 3 && k[0] == 'm' && k[1] == 'm' && k[2] >= '0' && k[2] <= '7') {
            if (vn != 16 || parse_u64(v, vn, &x)) goto bad;
            in->mm[k[2] - '0'] = x;
            in->has_mm[k[2] - '0'] = 1;
            in->mmx_view = 1;
        } else if (kn == 3 && !memcmp(k, "ftw", 3)) {
            if (parse_u64(v, vn, &x) || x > 0xff) goto bad;
            in->ftw = (uint8_t)x;
            in->has_ftw = 1;
            in->mmx_view = 1;
        } else if (kn == 3 && !memcmp(k, "top", 3)) {
            if (parse_u64(v, vn, &x) || x > 7) goto bad;
            in->top = (int)x;
            in->mmx_view = 1;
        } else if (kn == 2 && !memcmp(k, "m2", 2)) {
            /* the second buffer, trailing zero bytes omitted */
            if (vn == 0 || parse_hex_bytes(v, vn, in->mem2, DATA2_SIZE) < 0) goto bad;
        } else if (kn == 2 && !memcmp(k, "st", 2)) {
            /* comma-separated ST(0).. as double bit patterns, '-' = empty */
            uint64_t vals[8];
            int valid[8];
            char *q = v;
            depth = 0;
            while (q < p) {
                if (depth == 8) goto bad;
                char *e = q;
                while (e < p && *e != ',') e++;
                if (e - q == 1 && *q == '-') {
                    valid[depth] = 0;
                    vals[depth] = 0;
                } else {
                    if (parse_u64(q, (size_t)(e - q), &vals[depth])) goto bad;
                    valid[depth] = 1;
                }
                depth++;
                q = e + 1;
            }
            int top = (8 - depth) & 7;
            uint8_t ftw = 0;
            for (int i = 0; i < depth; i++) {
                if (!valid[i]) continue;
                ftw |= (uint8_t)(1 << ((top + i) & 7));
                d_to_ext(vals[i], in->fx + 32 + 16 * i);
            }
            in->fx[4] = ftw;
            in->has_x87 = 1;
        } else {
            goto bad;
        }
        continue;
    bad:
        sprintf(err, "bad field '%.*s=%.*s'", (int)kn, k, (int)vn, v);
        return -1;
    }
    int top = (8 - depth) & 7;
    if (in->mmx_view && !depth) top = in->top;
    fsw = (uint16_t)(fsw | (top << 11));
    memcpy(in->fx + 2, &fsw, 2);
    if (in->mmx_view) {
        /* MMi = mantissa of physical register Ri, exponent all ones (as an MMX write leaves it) */
        for (int r = 0; r < 8; r++) {
            if (!in->has_mm[r]) continue;
            if (depth) {
                sprintf(err, "mmN and st together");
                return -1;
            }
            uint8_t *slot = in->fx + 32 + 16 * ((r - top) & 7);
            memcpy(slot, &in->mm[r], 8);
            slot[8] = 0xff, slot[9] = 0xff;
        }
        if (in->has_ftw) in->fx[4] = in->ftw;
    }
    return 0;
}

/* ---------------------------------------------------------------- printing */

static char outbuf[8192];
static size_t outlen;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    outlen += (size_t)vsnprintf(outbuf + outlen, sizeof outbuf - outlen, fmt, ap);
    va_end(ap);
}

static void emit_xmm(int r, const uint8_t *b) {
    emit(" x%d=", r);
    for (int i = 15; i >= 0; i--) emit("%02x", b[i]);
}

/* The x87 stack as text: ST(0).. as double bit patterns, '-' for empty, trailing empties dropped. */
static void st_text(const uint8_t *fx, char *out) {
    uint16_t fsw;
    memcpy(&fsw, fx + 2, 2);
    int top = (fsw >> 11) & 7;
    uint8_t ftw = fx[4];
    int last = -1;
    for (int i = 0; i < 8; i++)
        if (ftw & (1 << ((top + i) & 7))) last = i;
    out[0] = 0;
    size_t n = 0;
    for (int i = 0; i <= last; i++) {
        if (i) out[n++] = ',';
        if (ftw & (1 << ((top + i) & 7)))
            n += (size_t)sprintf(out + n, "%016llx", (unsigned long long)ext_to_d(fx + 32 + 16 * i));
        else
            out[n++] = '-';
        out[n] = 0;
    }
}

/* ---------------------------------------------------------------- main */

static uint64_t entries[4]; /* run64, run32, exit64, exit32 */

static void emit_hex_trimmed(const char *name, const uint8_t *b, int n) {
    while (n > 1 && b[n - 1] == 0) n--;
    emit(" %s=", name);
    for (int i = 0; i < n; i++) emit("%02x", b[i]);
}

static void *map_fixed(unsigned long addr, size_t size, int prot) {
    void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)addr) {
        fprintf(stderr, "harness: cannot map %#lx\n", addr);
        exit(2);
    }
    return p;
}

int main(void) {
    map_fixed(BLOB, 0x4000, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(CODE, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DATA_PAGES, 2 * PAGE, PROT_READ | PROT_WRITE);
    map_fixed(DATA2, PAGE, PROT_READ | PROT_WRITE);
    memcpy((void *)BLOB, stubs_bin, (size_t)(stubs_end - stubs_bin));
    memcpy(entries, (void *)BLOB, sizeof entries);
    S->ptr_code = CODE;
    S->ptr_exit64 = entries[2];
    S->ptr_exit32 = entries[3];

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

    static char line[16384];
    int errors = 0;
    while (fgets(line, sizeof line, stdin)) {
        size_t L = strlen(line);
        while (L && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = 0;
        if (L == 0 || line[0] == '#') {
            puts(line);
            continue;
        }
        /* split: head | in: ... | mask: ... | text */
        char *parts[4] = {0};
        int np = 0;
        char *p = line;
        parts[np++] = p;
        while (np < 4 && (p = strstr(p, " | "))) {
            *p = 0;
            p += 3;
            parts[np++] = p;
        }
        char err[256] = "";
        struct input in;
        memset(&in, 0, sizeof in);
        in.fl = 0x202;
        fx_default(in.fx);
        if (np != 4 || strncmp(parts[1], "in:", 3) || strncmp(parts[2], "mask:", 5)) {
            fprintf(stderr, "harness: malformed line: %s\n", line);
            return 2;
        }
        char hexs[64];
        if (sscanf(parts[0], "%d %63s", &in.bits, hexs) != 2 || (in.bits != 32 && in.bits != 64)) {
            fprintf(stderr, "harness: bad head: %s\n", parts[0]);
            return 2;
        }
        in.len = parse_hex_bytes(hexs, strlen(hexs), in.code, 15);
        char inbuf[8192];
        snprintf(inbuf, sizeof inbuf, "%s", parts[1] + 3);
        if (in.len <= 0 || parse_in(inbuf, &in, err)) {
            fprintf(stderr, "harness: %s: %s\n", err[0] ? err : "bad bytes", parts[0]);
            return 2;
        }

        /* set up */
        uint8_t *code = (uint8_t *)CODE, *data = (uint8_t *)DATA;
        memset(code, 0xcc, PAGE);
        memcpy(code, in.code, (size_t)in.len);
        uint8_t *j = code + in.len;
        if (in.bits == 64) { /* jmp qword [abs PTR_EXIT64] */
            uint32_t a = (uint32_t)(STATE + offsetof(struct state, ptr_exit64));
            j[0] = 0xff, j[1] = 0x24, j[2] = 0x25;
            memcpy(j + 3, &a, 4);
        } else { /* jmp dword [cs:PTR_EXIT32] (through CS: the case may have loaded DS with a null selector) */
            uint32_t a = (uint32_t)(STATE + offsetof(struct state, ptr_exit32));
            j[0] = 0x2e, j[1] = 0xff, j[2] = 0x25;
            memcpy(j + 3, &a, 4);
        }
        memset((void *)DATA_PAGES, 0, 2 * PAGE);
        memcpy(data, in.mem, DATA_SIZE);
        memset((void *)DATA2, 0, PAGE);
        memcpy((void *)DATA2, in.mem2, DATA2_SIZE);
        uint16_t in_seg[6] = {0x2b, (uint16_t)(in.bits == 64 ? 0x33 : 0x23), 0x2b, 0x2b, 0, 0};
        memcpy(S->out_seg, in_seg, sizeof in_seg);
        memcpy(S->in_g, in.g, sizeof in.g);
        S->in_fl = in.fl;
        memcpy(S->in_fx, in.fx, 512);
        memset(S->out_g, 0, sizeof S->out_g);
        memset(S->out_fx, 0, 512);
        fault_trap = -1;
        fault_has_ss = 0;

        if (sigsetjmp(jb, 1) == 0) {
            ((void (*)(void))entries[in.bits == 64 ? 0 : 1])();
        }
        /* back to a known FPU state for our own conversions */
        __asm__ volatile("fninit");
        uint32_t mx = 0x1f80;
        __asm__ volatile("ldmxcsr %0" ::"m"(mx));

        /* checks */
        for (unsigned long a = DATA_PAGES; a < DATA_PAGES + 2 * PAGE; a++)
            if ((a < DATA || a >= DATA + DATA_SIZE) && *(uint8_t *)a) {
                sprintf(err, "wrote outside the data buffer at %#lx", a);
                break;
            }
        for (unsigned long a = DATA2 + DATA2_SIZE; a < DATA2 + PAGE; a++)
            if (*(uint8_t *)a) {
                sprintf(err, "wrote outside the second buffer at %#lx", a);
                break;
            }
        if (memcmp(code, in.code, (size_t)in.len)) sprintf(err, "modified its own code");
        /* where the case ended: at code+len (no fault), a fault at the instruction, a trap after it (int3,
           int1, into), or a branch that landed on the int3 filler / an unmapped page */
        int64_t landed = -1;
        uint64_t end = CODE + (uint64_t)in.len;
        int own = fault_rip > CODE && fault_rip <= end;
        if (fault_trap == 3 && !own) {
            landed = (int64_t)(fault_rip - 1);
            fault_trap = -1;
        } else if (fault_trap == 14 && fault_cr2 == fault_rip && fault_rip != CODE) {
            landed = (int64_t)fault_rip;
            fault_trap = -1;
        } else if (fault_trap == 1 || fault_trap == 3 || fault_trap == 4) {
            /* traps report the next instruction; INT1 under this host's hypervisor reports itself */
            if (fault_rip != end && !(fault_trap == 1 && fault_rip == CODE)) sprintf(err, "trap %s at %#llx, not after the instruction", trap_name(fault_trap),
                                          (unsigned long long)fault_rip);
        } else if (fault_trap >= 0 && fault_rip != CODE) {
            sprintf(err, "fault %s at %#llx, not at the instruction", trap_name(fault_trap),
                    (unsigned long long)fault_rip);
        }
        if (landed >= 0 && (uint64_t)landed >= CODE && (uint64_t)landed < end + 8)
            sprintf(err, "landed inside the case or its exit jump at %#llx", (unsigned long long)landed);

        /* output: fields that differ from the input */
        outlen = 0;
        emit("%s | in:%s | out:", parts[0], parts[1] + 3);
        if (err[0]) {
            fprintf(stderr, "harness: %s: %s\n", err, parts[0]);
            errors++;
            emit(" ERR");
        } else {
            int n = in.bits == 64 ? 16 : 8;
            for (int i = 0; i < n; i++) {
                uint64_t a = in.g[i], b = S->out_g[i];
                if (in.bits == 32) a &= 0xffffffff, b &= 0xffffffff;
                if (a != b) {
                    if (in.bits == 64) emit(" %s=%016llx", g64[i], (unsigned long long)b);
                    else emit(" %s=%08llx", g32[i], (unsigned long long)b);
                }
            }
            emit(" fl=%llx", (unsigned long long)(S->out_fl & 0xfff));
            if (memcmp(data, in.mem, DATA_SIZE)) {
                emit(" mem=");
                for (int i = 0; i < DATA_SIZE; i++) emit("%02x", data[i]);
            }
            if (memcmp((void *)DATA2, in.mem2, DATA2_SIZE)) emit_hex_trimmed("m2", (const uint8_t *)DATA2, DATA2_SIZE);
            for (int r = 0; r < (in.bits == 64 ? 16 : 8); r++)
                if (memcmp(in.fx + 160 + 16 * r, S->out_fx + 160 + 16 * r, 16)) emit_xmm(r, S->out_fx + 160 + 16 * r);
            uint32_t mi, mo;
            memcpy(&mi, in.fx + 24, 4);
            memcpy(&mo, S->out_fx + 24, 4);
            if (mi != mo) emit(" mxcsr=%x", mo);
            uint16_t ci, co, si, so;
            memcpy(&ci, in.fx, 2);
            memcpy(&co, S->out_fx, 2);
            memcpy(&si, in.fx + 2, 2);
            memcpy(&so, S->out_fx + 2, 2);
            if (ci != co) emit(" fcw=%04x", co);
            if (si != so) emit(" fsw=%04x", so);
            if (in.mmx_view) {
                if (in.fx[4] != S->out_fx[4]) emit(" ftw=%02x", S->out_fx[4]);
                int ti = (si >> 11) & 7, to = (so >> 11) & 7;
                for (int r = 0; r < 8; r++) {
                    uint64_t a, b;
                    memcpy(&a, in.fx + 32 + 16 * ((r - ti) & 7), 8);
                    memcpy(&b, S->out_fx + 32 + 16 * ((r - to) & 7), 8);
                    if (a != b) emit(" mm%d=%016llx", r, (unsigned long long)b);
                }
            } else {
                char sti[256], sto[256];
                st_text(in.fx, sti);
                st_text(S->out_fx, sto);
                if (strcmp(sti, sto)) emit(" st=%s", sto[0] ? sto : "-");
            }
            for (int k = 0; k < 6; k++)
                if (S->out_seg[k] != in_seg[k]) emit(" %s=%x", sregs[k], S->out_seg[k]);
            if (landed >= 0) emit(" rip=%llx", (unsigned long long)landed);
            if (fault_trap >= 0) emit(" exc=%s", trap_name(fault_trap));
        }
        emit(" | %s | %s", parts[2], parts[3]);
        puts(outbuf);
    }
    fflush(stdout);
    if (errors) fprintf(stderr, "harness: %d case(s) broke the harness rules\n", errors);
    return errors ? 1 : 0;
}
