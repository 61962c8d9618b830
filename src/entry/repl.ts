// `fiberscope/repl`: the fiber REPL, local or attached to a running process.
import './setup';

export * from '../repl';
