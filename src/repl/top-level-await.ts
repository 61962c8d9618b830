// Top-level `await` in a REPL input, rewritten the way Node's REPL rewrites it (its rewriter,
// lib/internal/repl/await.js, is internal to Node): the input becomes the body of an async arrow
// function called at once; its top-level declarations are hoisted in front of that function, so
// that later inputs see them (`const` and `let` as `let`, `var` and functions as `var`, classes as
// `let`); its last expression statement is returned, boxed as `{ value }`, so that a promise it
// evaluates to is not awaited along with it. Parsed with acorn and walked with acorn-walk, the
// parser and walker that Node bundles for this.
import type {
  Node as AcornNode,
  AnyNode,
  ArrowFunctionExpression,
  BlockStatement,
  CallExpression,
  ClassDeclaration,
  ExpressionStatement,
  ForOfStatement,
  FunctionDeclaration,
  Pattern,
  VariableDeclaration,
} from 'acorn';
import { Parser } from 'acorn';
import { base, recursive } from 'acorn-walk';

const PREFIX = '(async () => { ';
// On a line of its own: an input may end in a // comment.
const SUFFIX = '\n })()';

type Visitor = (
  node: AnyNode,
  state: Rewrite,
  walk: (node: AnyNode, state: Rewrite) => void,
) => void;

interface Rewrite {
  /** The async function's body: its statements are the input's top level. */
  body: BlockStatement;
  /** The nodes from the body down to the one being visited. */
  path: AnyNode[];
  /** The wrapped source, one slot per UTF-16 unit (acorn's offsets): edits rewrite slots. */
  slots: string[];
  /** Declarations that go in front of the async function. */
  hoisted: string[];
  awaits: boolean;
  returns: boolean;
}

/** What acorn's parse errors carry besides the message. */
interface AcornSyntaxError extends SyntaxError {
  pos: number;
  loc: { line: number; column: number };
}

const before = (state: Rewrite, node: AcornNode, text: string) => {
  state.slots[node.start] = text + state.slots[node.start];
};
const after = (state: Rewrite, node: AcornNode, text: string) => {
  state.slots[node.end - 1] += text;
};
const isTopLevel = (state: Rewrite) => state.path[state.path.length - 2] === state.body;

/** The names a declaration's pattern binds. */
function boundNames(pattern: Pattern | null, names: string[]): void {
  switch (pattern?.type) {
    case 'Identifier':
      names.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        boundNames(property.type === 'RestElement' ? property.argument : property.value, names);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) boundNames(element, names);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, names);
      break;
    case 'RestElement':
      boundNames(pattern.argument, names);
      break;
  }
}

/** `const a = 1, { b } = c` at the top level becomes `void ((a = 1), ({ b } = c))`, with
 *  `let a, b;` hoisted; a `var` anywhere outside nested functions likewise, as `var`. */
function hoistDeclaration(node: VariableDeclaration, state: Rewrite): void {
  const { kind } = node;
  // `using` declarations stay in the function: their disposal is its scope's.
  if (kind !== 'var' && kind !== 'let' && kind !== 'const') return;
  if (kind !== 'var' && !isTopLevel(state)) return;
  const parent = state.path[state.path.length - 2];
  const forHead = parent.type === 'ForOfStatement' || parent.type === 'ForInStatement';
  const single = node.declarations.length === 1;
  // The keyword: `for (var x of xs)` loses it, declarations become `void` expressions.
  const keywordEnd = node.start + kind.length + (forHead ? 1 : 0);
  for (let i = node.start; i < keywordEnd; i++) state.slots[i] = '';
  state.slots[node.start] = kind === 'var' && forHead ? '' : single ? 'void' : 'void (';
  if (!forHead) {
    for (const declarator of node.declarations) {
      before(state, declarator, '(');
      after(state, declarator, declarator.init ? ')' : '=undefined)');
    }
    if (!single) after(state, node.declarations[node.declarations.length - 1], ')');
  }
  const names: string[] = [];
  for (const declarator of node.declarations) boundNames(declarator.id, names);
  if (names.length > 0)
    state.hoisted.push(`${kind === 'var' ? 'var' : 'let'} ${names.join(', ')}; `);
}

const skip: Visitor = () => {};

// What differs from walking every node: nested functions are not entered (their awaits and
// declarations are their own), declarations are hoisted, awaits and returns are noted.
const own: Record<string, Visitor> = {
  FunctionExpression: skip,
  ArrowFunctionExpression: skip,
  MethodDefinition: skip,
  FunctionDeclaration(node, state) {
    const { name } = (node as FunctionDeclaration).id;
    before(state, node, `this.${name} = ${name}; `);
    state.hoisted.push(`var ${name}; `);
  },
  ClassDeclaration(node, state, walk) {
    const declaration = node as ClassDeclaration;
    if (isTopLevel(state)) {
      // An assignment now, which a statement on the same line would continue without the `;`.
      before(state, node, `${declaration.id.name}=`);
      after(state, node, ';');
      state.hoisted.push(`let ${declaration.id.name}; `);
    }
    baseVisitor('ClassDeclaration')(node, state, walk);
  },
  AwaitExpression(node, state, walk) {
    state.awaits = true;
    baseVisitor('AwaitExpression')(node, state, walk);
  },
  ForOfStatement(node, state, walk) {
    if ((node as ForOfStatement).await) state.awaits = true;
    baseVisitor('ForOfStatement')(node, state, walk);
  },
  ReturnStatement(node, state, walk) {
    state.returns = true;
    baseVisitor('ReturnStatement')(node, state, walk);
  },
  VariableDeclaration(node, state, walk) {
    hoistDeclaration(node as VariableDeclaration, state);
    baseVisitor('VariableDeclaration')(node, state, walk);
  },
};

function baseVisitor(type: string): Visitor {
  return (base as unknown as Record<string, Visitor>)[type];
}

// Every visitor keeps the path from the body to the node it visits.
const visitors: Record<string, Visitor> = {};
for (const type of Object.keys(base)) {
  const visit = own[type] ?? baseVisitor(type);
  visitors[type] = (node, state, walk) => {
    const entered = node !== state.path[state.path.length - 1];
    if (entered) state.path.push(node);
    visit(node, state, walk);
    if (entered) state.path.pop();
  };
}

/** Where parsing the wrapped input failed: null when top-level await is not the matter (the
 *  input is then compiled as it is, and V8 says what is wrong); else a SyntaxError pointing at
 *  the input's own line and column. */
function parseFailure(source: string, error: AcornSyntaxError): null {
  const at = error.pos - PREFIX.length;
  const firstAwait = source.indexOf('await');
  if (firstAwait > at) return null;
  // `await` used as a name, which the async function makes a keyword.
  if (at === firstAwait + 6 && error.message.includes('Expecting Unicode escape sequence')) {
    return null;
  }
  if (at === firstAwait + 7 && error.message.includes('Unexpected token')) return null;
  const { line, column } = error.loc;
  const shown = line === 1 ? column - PREFIX.length : column;
  let message = `\n${source.split('\n')[line - 1]}\n${' '.repeat(Math.max(shown, 0))}^\n\n${error.message.replace(/ \([^)]+\)/, '')}`;
  // V8 names the unexpected token; acorn does not.
  if (message.endsWith('Unexpected token')) {
    message += ` '${source[at] ?? source[source.length - 1]}'`;
  }
  throw new SyntaxError(message);
}

/** Whether `code` parses as a script, `await` allowed at its top level (or, as Node's REPL also
 *  tries, as the right side of an assignment). */
export function parsesWithAwait(code: string): boolean {
  for (const source of [code, `_=${code}`]) {
    try {
      Parser.parse(source, { ecmaVersion: 'latest', allowAwaitOutsideFunction: true });
      return true;
    } catch {
      // the next form
    }
  }
  return false;
}

/**
 * The script that runs `source` as Node's REPL runs an input that awaits at the top level: it
 * evaluates to a promise of `{ value }`, `value` being the input's completion value (that of its
 * last expression statement). Null when the input does not await at the top level, or returns
 * there (which Node's REPL does not rewrite either). Throws a SyntaxError when the input does not
 * parse past its first `await`.
 */
export function rewriteTopLevelAwait(source: string): string | null {
  const wrapped = `${PREFIX}${source}${SUFFIX}`;
  let program: ReturnType<typeof Parser.parse>;
  try {
    program = Parser.parse(wrapped, { ecmaVersion: 'latest' });
  } catch (error) {
    if (!(error instanceof SyntaxError) || typeof (error as AcornSyntaxError).pos !== 'number') {
      throw error;
    }
    return parseFailure(source, error as AcornSyntaxError);
  }
  const call = (program.body[0] as ExpressionStatement).expression as CallExpression;
  const body = (call.callee as ArrowFunctionExpression).body as BlockStatement;
  const state: Rewrite = {
    body,
    path: [],
    slots: wrapped.split(''),
    hoisted: [],
    awaits: false,
    returns: false,
  };
  recursive(body, state, visitors as never);
  if (!state.awaits || state.returns) return null;

  // The last statement, empty ones aside, gives the value when it is an expression statement:
  // `return { value: (expression) };` (the box goes around the expression only, so that any
  // closing parentheses between it and the semicolon stay where they are).
  for (let i = body.body.length - 1; i >= 0; i--) {
    const statement = body.body[i];
    if (statement.type === 'EmptyStatement') continue;
    if (statement.type === 'ExpressionStatement') {
      before(state, statement.expression, '{ value: (');
      before(state, statement, 'return ');
      after(state, statement.expression, ') }');
    }
    break;
  }
  return state.hoisted.join('') + state.slots.join('');
}
