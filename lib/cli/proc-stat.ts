// Reading /proc/PID/stat (Linux). The command name sits in parentheses and may hold spaces and parentheses itself,
// so the fields are counted from after the last ')'.

/** The fields after the command name: state(0) ppid(1) pgrp(2) session(3) ... utime(11) stime(12) ... nice(16). */
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The command name (what sits between the first '(' and the last ')'). */
export function procStatComm(stat: string): string {
  return stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
}
