; Workload 2: sieve of Eratosthenes over N bytes at DATA; returns the number of primes below N.
; N must be a multiple of 4. Instruction counts match icount.py count_sieve:
; prologue 4 push + 5, init 4 per dword, 3 setup, per candidate i: 4 + 2 + 2 (+4 per marking),
; final 4, count setup 3, count 5 per byte, epilogue 4 pop + ret.
%include "common.inc"
entry:
    push rB
    push rSI
    push rDI
    push rBP
    mov  ebp, [abs PARAM]      ; N
    mov  edi, DATA
    mov  ecx, ebp
    shr  ecx, 2                ; dwords to fill
    mov  eax, 0x01010101       ; every number starts as "prime"
.init:
    mov  [rDI], eax
    add  rDI, 4
    dec  ecx
    jnz  .init
    mov  byte [abs DATA], 0    ; 0 and 1 are not prime
    mov  byte [abs DATA+1], 0
    mov  esi, 2                ; i = 2
.outer:
    mov  eax, esi
    imul eax, esi              ; i*i
    cmp  eax, ebp
    jae  .count
    cmp  byte [rSI + DATA], 0
    je   .next
.mark:
    mov  byte [rA + DATA], 0   ; j = i*i, i*i+i, ... < N
    add  eax, esi
    cmp  eax, ebp
    jb   .mark
.next:
    inc  esi
    jmp  .outer
.count:
    xor  eax, eax
    mov  edi, DATA
    mov  ecx, ebp
.cloop:
    movzx edx, byte [rDI]
    add  eax, edx
    inc  rDI
    dec  ecx
    jnz  .cloop
    pop  rBP
    pop  rDI
    pop  rSI
    pop  rB
    ret
