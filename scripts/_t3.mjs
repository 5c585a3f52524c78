import * as iced from "iced-x86";
const names = Object.keys(iced.Code).filter(k => isNaN(Number(k)));
const pre = {};
for (const n of names) { const p = n.split("_")[0]; pre[p] = (pre[p]||0)+1; }
console.log(pre);
console.log(names.filter(n => /msr|Urd|Uwr/i.test(n)).join(" "));
