import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const CLK_TCK = 100;

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/** Resident set size of a process in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export interface ProcWindow {
  /** CPU used over the window, in percent of one core. */
  cpuPercent: number;
  /** CPU seconds used over the window. */
  cpuSeconds: number;
  /** Busiest second of the window (sampled every 250 ms), in percent of one core. */
  peakCpuPercent: number;
  /** RSS at the end of the window, MiB. */
  rssMiB: number;
  /** Highest RSS sampled during the window, MiB. */
  peakRssMiB: number;
}

/** Measures a process's CPU and RSS over a window, sampling RSS every 250 ms. */
export class ProcWatch {
  private startCpu = 0;
  private startAt = 0;
  private peak = 0;
  private samples: { at: number; cpu: number }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(readonly pid: number) {}

  start(): void {
    this.startCpu = cpuSeconds(this.pid);
    this.startAt = performance.now();
    this.peak = rssBytes(this.pid);
    this.samples = [{ at: this.startAt, cpu: this.startCpu }];
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      try {
        this.peak = Math.max(this.peak, rssBytes(this.pid));
        this.samples.push({ at: performance.now(), cpu: cpuSeconds(this.pid) });
      } catch {
        clearInterval(this.timer);
      }
    }, 250);
    this.timer.unref();
  }

  stop(): ProcWindow {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startAt) / 1000;
    const cpu = cpuSeconds(this.pid) - this.startCpu;
    const rss = rssBytes(this.pid);
    this.peak = Math.max(this.peak, rss);
    let peakCpu = 0;
    for (let i = 0, j = 0; j < this.samples.length; j++) {
      const b = this.samples[j]!;
      while (i + 1 < j && b.at - this.samples[i + 1]!.at >= 1000) i++;
      const a = this.samples[i]!;
      if (b.at - a.at >= 1000)
        peakCpu = Math.max(peakCpu, (b.cpu - a.cpu) / ((b.at - a.at) / 1000));
    }
    return {
      cpuPercent: seconds > 0 ? Math.round((cpu / seconds) * 1000) / 10 : 0,
      cpuSeconds: cpu,
      peakCpuPercent: Math.round(peakCpu * 1000) / 10,
      rssMiB: mib(rss),
      peakRssMiB: mib(this.peak),
    };
  }
}

export function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** Jiffies the whole machine spent busy and waiting for I/O, from /proc/stat. */
function machineTimes(): { busy: number; iowait: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, , iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    busy: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0),
    iowait: iowait ?? 0,
  };
}

/**
 * CPU the whole machine used over a window, in percent of one core. The machine is shared:
 * what other processes use beside the benchmark is reported with every step, since it moves
 * the numbers.
 */
export class MachineWatch {
  private start = machineTimes();
  private startAt = performance.now();
  private startSelf = process.cpuUsage();

  restart(): void {
    this.start = machineTimes();
    this.startAt = performance.now();
    this.startSelf = process.cpuUsage();
  }

  /** Busy and I/O-wait percent of one core, and this process's own share of the busy time. */
  stop(): { busyPercent: number; iowaitPercent: number; selfPercent: number } {
    const end = machineTimes();
    const seconds = (performance.now() - this.startAt) / 1000;
    const self = process.cpuUsage(this.startSelf);
    const pct = (ticks: number) => Math.round((ticks / CLK_TCK / seconds) * 1000) / 10;
    return {
      busyPercent: pct(end.busy - this.start.busy),
      iowaitPercent: pct(end.iowait - this.start.iowait),
      selfPercent: Math.round(((self.user + self.system) / 1e6 / seconds) * 1000) / 10,
    };
  }
}
