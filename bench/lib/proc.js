'use strict';
// CPU time from Linux's /proc/<pid>/stat (in clock ticks, 100 a second), in ms, or undefined
// where there is no /proc.
//   own:      the process's own user + system time (utime, stime)
//   children: that of its children that have ended and been waited for, and of theirs
//             (cutime, cstime)

function procCpuMs(pid = 'self', which = 'own') {
  try {
    const fields = require('node:fs')
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .split(') ')[1]
      .split(' ');
    const at = which === 'children' ? 13 : 11;
    return ((Number(fields[at]) + Number(fields[at + 1])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

module.exports = { procCpuMs };
