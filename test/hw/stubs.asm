; wowdbg hardware-vector harness: mode-switch stubs, assembled flat (nasm -f bin) and copied by
; harness.c to the fixed address BLOB. Layout (all below 2 GB so disp32 absolute addressing works):
;   BLOB  = 0x20000000  this code
;   STATE = 0x20001000  in/out register images (see harness.c, struct state)
;   LOWSTK= 0x20003000  top of a small stack used while switching modes
;   CODE  = 0x20010000  the case: instruction bytes, then jmp [PTR_EXIT64] / jmp [PTR_EXIT32]
;   DATA  = 0x20020fe0  the 64-byte data buffer (crosses the page boundary at 0x20021000)
;   DATA2 = 0x20030000  the 512-byte second buffer (fxsave/fnsave images)
; Segment registers: the case starts with DS = ES = SS = 0x2b (as in Windows) and CS = 0x33 / 0x23; FS
; and GS are Linux's (selector 0). The exit stubs store all six (OUT_SEG) and put back what C needs:
; DS = ES = 0 in 64-bit code, FS/GS selector 0 with the bases saved at entry (rdfsbase/wrfsbase), so a
; case may load any segment register. The 32-bit exit stores through SS (the only writable user data
; segment is 0x2b, so SS is always usable there, whatever the case did to DS).
; The table at the start gives the entry points: run64, run32 (called from C: void f(void)),
; exit64 and exit32 (the case code jumps there through PTR_EXIT64 / PTR_EXIT32).
        org 0x20000000
%define STATE      0x20001000
%define IN_G       STATE+0x000
%define IN_FL      STATE+0x080
%define SAVED_RSP  STATE+0x088
%define PTR_CODE   STATE+0x090
%define OUT_G      STATE+0x100
%define OUT_FL     STATE+0x180
%define SAVED_FSB  STATE+0x0a8
%define SAVED_GSB  STATE+0x0b0
%define OUT_SEG    STATE+0x188
%define IN_FX      STATE+0x200
%define OUT_FX     STATE+0x400
%define LOWSTK     0x20003000

        bits 64
        dq run64, run32, exit64, exit32

run64:
        push rbx
        push rbp
        push r12
        push r13
        push r14
        push r15
        mov [SAVED_RSP], rsp
        rdfsbase rax
        mov [SAVED_FSB], rax
        rdgsbase rax
        mov [SAVED_GSB], rax
        fninit                          ; FIP/FDP/FOP = 0 (fxrstor may keep them on AMD)
        o64 fxrstor [IN_FX]
        mov ax, 0x2b
        mov ds, ax
        mov es, ax
        push qword [IN_FL]
        popfq
        mov rax, [IN_G+0*8]
        mov rcx, [IN_G+1*8]
        mov rdx, [IN_G+2*8]
        mov rbx, [IN_G+3*8]
        mov rbp, [IN_G+5*8]
        mov rsi, [IN_G+6*8]
        mov rdi, [IN_G+7*8]
        mov r8,  [IN_G+8*8]
        mov r9,  [IN_G+9*8]
        mov r10, [IN_G+10*8]
        mov r11, [IN_G+11*8]
        mov r12, [IN_G+12*8]
        mov r13, [IN_G+13*8]
        mov r14, [IN_G+14*8]
        mov r15, [IN_G+15*8]
        mov rsp, [IN_G+4*8]
        jmp [PTR_CODE]

exit64:
        mov [OUT_G+0*8], rax
        mov [OUT_G+1*8], rcx
        mov [OUT_G+2*8], rdx
        mov [OUT_G+3*8], rbx
        mov [OUT_G+4*8], rsp
        mov [OUT_G+5*8], rbp
        mov [OUT_G+6*8], rsi
        mov [OUT_G+7*8], rdi
        mov [OUT_G+8*8], r8
        mov [OUT_G+9*8], r9
        mov [OUT_G+10*8], r10
        mov [OUT_G+11*8], r11
        mov [OUT_G+12*8], r12
        mov [OUT_G+13*8], r13
        mov [OUT_G+14*8], r14
        mov [OUT_G+15*8], r15
        mov [OUT_SEG+0], es
        mov [OUT_SEG+2], cs
        mov [OUT_SEG+4], ss
        mov [OUT_SEG+6], ds
        mov [OUT_SEG+8], fs
        mov [OUT_SEG+10], gs
        mov rsp, [SAVED_RSP]
        pushfq
        pop qword [OUT_FL]
        push qword 0x202                ; clean RFLAGS for C (DF, AC... from the case)
        popfq
back64:
        o64 fxsave [OUT_FX]
        xor eax, eax
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov rax, [SAVED_FSB]
        wrfsbase rax
        mov rax, [SAVED_GSB]
        wrgsbase rax
        pop r15
        pop r14
        pop r13
        pop r12
        pop rbp
        pop rbx
        ret

run32:
        push rbx
        push rbp
        push r12
        push r13
        push r14
        push r15
        mov [SAVED_RSP], rsp
        rdfsbase rax
        mov [SAVED_FSB], rax
        rdgsbase rax
        mov [SAVED_GSB], rax
        fninit
        o64 fxrstor [IN_FX]
        mov esp, LOWSTK
        push 0x23
        push entry32
        o64 retf

        bits 32
entry32:
        mov ax, 0x2b
        mov ds, ax
        mov es, ax
        mov ss, ax
        push dword [IN_FL]
        popfd
        mov eax, [IN_G+0*8]
        mov ecx, [IN_G+1*8]
        mov edx, [IN_G+2*8]
        mov ebx, [IN_G+3*8]
        mov ebp, [IN_G+5*8]
        mov esi, [IN_G+6*8]
        mov edi, [IN_G+7*8]
        mov esp, [IN_G+4*8]
        jmp [PTR_CODE]

exit32:
        mov [ss:OUT_G+0*8], eax
        mov [ss:OUT_G+1*8], ecx
        mov [ss:OUT_G+2*8], edx
        mov [ss:OUT_G+3*8], ebx
        mov [ss:OUT_G+4*8], esp
        mov [ss:OUT_G+5*8], ebp
        mov [ss:OUT_G+6*8], esi
        mov [ss:OUT_G+7*8], edi
        mov [ss:OUT_SEG+0], es
        mov [ss:OUT_SEG+2], cs
        mov [ss:OUT_SEG+4], ss
        mov [ss:OUT_SEG+6], ds
        mov [ss:OUT_SEG+8], fs
        mov [ss:OUT_SEG+10], gs
        mov ax, 0x2b
        mov ds, ax
        mov es, ax
        mov esp, LOWSTK
        pushfd
        pop dword [OUT_FL]
        push dword 0x202
        popfd
        push 0x33
        push back64_32
        retf

        bits 64
back64_32:
        mov rsp, [SAVED_RSP]
        jmp back64
