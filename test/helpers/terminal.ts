// A program running in a real terminal (tmux), typed into and read back the way a person would.
import { execFileSync, spawnSync } from 'node:child_process';

/** Why the terminal tests cannot run, if they cannot. */
export const tmuxMissing: string | undefined =
  spawnSync('tmux', ['-V']).status === 0
    ? undefined
    : 'tmux is not installed (apt-get install tmux; .ci/run installs it)';

let sessions = 0;

export class Terminal {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `command` (a shell command line) in a new 160x50 terminal; its exit code is printed
   *  as `[exit N]` when it ends. */
  static start(command: string, env: NodeJS.ProcessEnv = {}): Terminal {
    const socket = `fiberscope-test-${process.pid}-${++sessions}`;
    const exports = Object.entries(env)
      .map(([key, value]) => `export ${key}=${JSON.stringify(value ?? '')}; `)
      .join('');
    execFileSync('tmux', [
      '-L',
      socket,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-x',
      '160',
      '-y',
      '50',
      `${exports}${command}; echo "[exit $?]"; sleep 60`,
    ]);
    return new Terminal(socket);
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8' });
  }

  /** Types `text` literally, then Enter. */
  type(text: string): void {
    this.#tmux('send-keys', '-t', '0', '-l', text);
    this.#tmux('send-keys', '-t', '0', 'Enter');
  }

  /** Presses keys by tmux name: 'C-c', 'Up', 'Enter'. */
  press(...keys: string[]): void {
    this.#tmux('send-keys', '-t', '0', ...keys);
  }

  /** Everything on the screen and in its scrollback, trailing blanks trimmed. */
  screen(): string {
    return this.#tmux('capture-pane', '-p', '-J', '-S', '-', '-t', '0').replace(/\s+$/, '');
  }

  /** Waits until the screen matches `pattern` (or shows it `count` times), else throws. */
  async waitFor(pattern: string | RegExp, { count = 1, timeoutMs = 10_000 } = {}): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      const found =
        typeof pattern === 'string'
          ? screen.split(pattern).length - 1
          : (screen.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? [])
              .length;
      if (found >= count) return screen;
      if (Date.now() > deadline) {
        throw new Error(`the terminal never showed ${String(pattern)} (x${count}):\n${screen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    spawnSync('tmux', ['-L', this.#socket, 'kill-server']);
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
