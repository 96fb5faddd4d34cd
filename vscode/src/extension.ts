/**
 * cxreport.yaml as a notebook: a serializer (split.ts, byte-exact), a controller that runs cells
 * through cxreport's own pipeline in a runner process (runner.ts → src/notebook/server.ts), the
 * "cxreport: Build report" command (runs `cxreport build` itself), and editor help in cells:
 * completion from the JSON schema (complete.ts) and diagnostics from cxreport's validation.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { cellSchema, complete, namesIn, type Schema } from './complete.js';
import { childEnv, findCxreport, Runner, type Answer } from './runner.js';
import { assemble, decode, encode, locate, split, type Assembled, type CellPart, type DocLayout } from './split.js';

const TYPE = 'cxreport';

interface CellError {
  where?: string;
  file?: string;
  line?: number;
  column?: number;
  message: string;
  snippet?: string;
  caret?: string;
  hint?: string;
}

// ---------------------------------------------------------------------------------------------
// Serializer
// ---------------------------------------------------------------------------------------------

class Serializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const { text, bom } = decode(content);
    const { doc, cells } = split(text, bom);
    const data = new vscode.NotebookData(
      cells.map((part) => {
        const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, part.text, 'yaml');
        cell.metadata = { cxreport: part };
        return cell;
      }),
    );
    data.metadata = { cxreport: doc };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const doc = docOf(data.metadata);
    const { text } = assemble(
      doc,
      data.cells.map((c) => ({ text: c.value, markup: c.kind === vscode.NotebookCellKind.Markup, part: c.metadata?.cxreport as CellPart | undefined })),
    );
    return encode(text, doc.bom);
  }
}

function docOf(metadata: Record<string, unknown> | undefined): DocLayout {
  return (metadata?.cxreport as DocLayout | undefined) ?? split('').doc;
}

/** The file text for the notebook as it is now (unsaved edits included), and where each cell is in it. */
function assembleNotebook(notebook: vscode.NotebookDocument): Assembled {
  return assemble(
    docOf(notebook.metadata),
    notebook.getCells().map((c) => ({ text: c.document.getText(), markup: c.kind === vscode.NotebookCellKind.Markup, part: c.metadata?.cxreport as CellPart | undefined })),
  );
}

// ---------------------------------------------------------------------------------------------
// Runner per cxreport installation
// ---------------------------------------------------------------------------------------------

let log: vscode.OutputChannel;
const runners = new Map<string, Runner>();

function settings(uri: vscode.Uri) {
  const c = vscode.workspace.getConfiguration('cxreport', uri);
  return { path: c.get<string>('path') || undefined, node: c.get<string>('node') || 'node', period: c.get<string>('period') || undefined };
}

function cxreportFor(uri: vscode.Uri): { root: string; node: string; period?: string } {
  const s = settings(uri);
  const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  const root = findCxreport(dirname(uri.fsPath), s.path, folder);
  if (!root) {
    throw new Error(
      s.path
        ? `cxreport.path is "${s.path}", which holds no cxreport (bin/cxreport-notebook-server.js)`
        : `no cxreport found for ${basename(uri.fsPath)}: install it in the project (npm install cxreport) or set cxreport.path to a cxreport folder`,
    );
  }
  return { root, node: s.node, period: s.period };
}

function runnerFor(uri: vscode.Uri): { runner: Runner; period?: string } {
  const { root, node, period } = cxreportFor(uri);
  const key = `${root}\u0000${node}`;
  let runner = runners.get(key);
  if (!runner) {
    runner = new Runner(root, node, log);
    runners.set(key, runner);
  }
  return { runner, period };
}

// ---------------------------------------------------------------------------------------------
// Controller
// ---------------------------------------------------------------------------------------------

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function failureOutput(message: string): vscode.NotebookCellOutput {
  const html = `<div class="cxreport-cell" style="border:1px solid #c4461a;border-left-width:5px;border-radius:4px;padding:6px 12px;background:#fff7f4;color:#1d2630;font-family:sans-serif"><p><strong>cxreport</strong></p><pre style="white-space:pre-wrap">${escape(message)}</pre></div>`;
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(html, 'text/html'), vscode.NotebookCellOutputItem.text(message, 'text/plain')]);
}

function outputOf(answer: Answer): vscode.NotebookCellOutput {
  if (answer.internal) return failureOutput(`internal error in the runner: ${answer.internal}`);
  const items = [vscode.NotebookCellOutputItem.text(String(answer.html ?? ''), 'text/html')];
  const svg = (answer.svg as string[] | undefined) ?? [];
  // the section's main chart as an image of its own (a KPI section's sparklines are not one)
  if (svg.length > 0 && answer.type !== 'kpis') items.push(vscode.NotebookCellOutputItem.text(svg[0], 'image/svg+xml'));
  items.push(vscode.NotebookCellOutputItem.text(String(answer.text ?? ''), 'text/plain'));
  return new vscode.NotebookCellOutput(items, { cxreport: { ok: answer.ok, type: answer.type, period: answer.period, ms: answer.ms } });
}

let executionOrder = 0;

async function execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, controller: vscode.NotebookController): Promise<void> {
  for (const cell of cells) {
    if (cell.kind !== vscode.NotebookCellKind.Code) continue;
    const execution = controller.createNotebookCellExecution(cell);
    execution.executionOrder = ++executionOrder;
    execution.start(Date.now());
    let cancelled = false;
    execution.token.onCancellationRequested(() => {
      cancelled = true;
    });
    try {
      const assembled = assembleNotebook(notebook);
      const placed = assembled.cells.find((p) => p.cell === cell.index);
      if (!placed) {
        await execution.replaceOutput(failureOutput('This cell is empty: there is nothing to run.'));
        execution.end(true, Date.now());
        continue;
      }
      const { runner, period } = runnerFor(notebook.uri);
      const request =
        placed.kind === 'section'
          ? { op: 'runSection', path: notebook.uri.fsPath, text: assembled.text, index: placed.section, period }
          : { op: 'runHeader', path: notebook.uri.fsPath, text: assembled.text, key: placed.key ?? 'report', period };
      const answer = await runner.request(request);
      if (cancelled) {
        execution.end(false, Date.now());
        continue;
      }
      await execution.replaceOutput(outputOf(answer));
      execution.end(answer.ok === true, Date.now());
      if (Array.isArray(answer.errors)) publishRunErrors(notebook, assembled, answer.errors as CellError[]);
    } catch (error) {
      await execution.replaceOutput(failureOutput(cancelled ? 'Interrupted: the runner was stopped (the data is loaded again on the next run).' : (error as Error).message));
      execution.end(false, Date.now());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics: cxreport's own validation (the zod schema the JSON schema is generated from)
// ---------------------------------------------------------------------------------------------

let diagnostics: vscode.DiagnosticCollection;
const timers = new Map<string, ReturnType<typeof setTimeout>>();

function cellRange(document: vscode.TextDocument, line: number, column: number): vscode.Range {
  const l = Math.min(line, Math.max(0, document.lineCount - 1));
  const text = document.lineAt(l).text;
  const c = Math.min(column, text.length);
  const word = /^[^\s,:[\]{}#]+/.exec(text.slice(c))?.[0] ?? '';
  return new vscode.Range(l, c, l, word ? c + word.length : Math.max(c, text.length));
}

function toDiagnostics(notebook: vscode.NotebookDocument, assembled: Assembled, errors: CellError[]): Map<string, vscode.Diagnostic[]> {
  const byCell = new Map<string, vscode.Diagnostic[]>();
  const cells = notebook.getCells();
  const configName = basename(notebook.uri.fsPath);
  for (const e of errors) {
    // only problems located in this config (not in a data file)
    if (e.line === undefined || (e.file && basename(e.file) !== configName)) continue;
    const at = locate(assembled, e.line, e.column ?? 1);
    const cell = at && cells[at.cell];
    if (!cell) continue;
    const d = new vscode.Diagnostic(cellRange(cell.document, at.line, at.column), `${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`, vscode.DiagnosticSeverity.Error);
    d.source = 'cxreport';
    const key = cell.document.uri.toString();
    byCell.set(key, [...(byCell.get(key) ?? []), d]);
  }
  return byCell;
}

function publish(notebook: vscode.NotebookDocument, byCell: Map<string, vscode.Diagnostic[]>): void {
  for (const cell of notebook.getCells()) diagnostics.set(cell.document.uri, byCell.get(cell.document.uri.toString()) ?? []);
}

/** Errors a run found (a column that does not exist…) are shown in the cells too, until the next validation. */
function publishRunErrors(notebook: vscode.NotebookDocument, assembled: Assembled, errors: CellError[]): void {
  const found = toDiagnostics(notebook, assembled, errors);
  for (const [uri, list] of found) {
    const cell = notebook.getCells().find((c) => c.document.uri.toString() === uri);
    if (!cell) continue;
    const existing = diagnostics.get(cell.document.uri) ?? [];
    const fresh = list.filter((d) => !existing.some((x) => x.message === d.message && x.range.isEqual(d.range)));
    diagnostics.set(cell.document.uri, [...existing, ...fresh]);
  }
}

async function validate(notebook: vscode.NotebookDocument): Promise<void> {
  if (notebook.notebookType !== TYPE || notebook.isClosed) return;
  try {
    const assembled = assembleNotebook(notebook);
    const { runner } = runnerFor(notebook.uri);
    const answer = await runner.request({ op: 'validate', path: notebook.uri.fsPath, text: assembled.text });
    if (notebook.isClosed) return;
    publish(notebook, toDiagnostics(notebook, assembled, (answer.errors as CellError[] | undefined) ?? []));
  } catch (error) {
    log.appendLine(`validation: ${(error as Error).message}`);
  }
}

function validateSoon(notebook: vscode.NotebookDocument, ms = 400): void {
  const key = notebook.uri.toString();
  clearTimeout(timers.get(key));
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      void validate(notebook);
    }, ms),
  );
}

// ---------------------------------------------------------------------------------------------
// Completion from the JSON schema
// ---------------------------------------------------------------------------------------------

let schema: Schema | undefined;

function notebookOfCell(document: vscode.TextDocument): { notebook: vscode.NotebookDocument; cell: vscode.NotebookCell } | undefined {
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (notebook.notebookType !== TYPE) continue;
    const cell = notebook.getCells().find((c) => c.document === document);
    if (cell) return { notebook, cell };
  }
  return undefined;
}

const completionProvider: vscode.CompletionItemProvider = {
  provideCompletionItems(document, position) {
    const found = notebookOfCell(document);
    if (!found || !schema) return undefined;
    const part = found.cell.metadata?.cxreport as CellPart | undefined;
    const assembled = assembleNotebook(found.notebook);
    const kind = assembled.cells.find((p) => p.cell === found.cell.index)?.kind ?? part?.kind ?? 'section';
    const root = cellSchema(schema, kind);
    const items = complete(root, document.getText(), document.offsetAt(position), namesIn(assembled.text));
    return items.map((c, i) => {
      const item = new vscode.CompletionItem(c.label, c.kind === 'property' ? vscode.CompletionItemKind.Property : c.kind === 'reference' ? vscode.CompletionItemKind.Reference : vscode.CompletionItemKind.Value);
      item.insertText = c.insertText;
      item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      item.sortText = `${c.preferred ? '0' : '1'}${String(i).padStart(4, '0')}`;
      return item;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// Build: `cxreport build`, run as a user would in the config's folder
// ---------------------------------------------------------------------------------------------

async function buildReport(uri?: vscode.Uri): Promise<void> {
  const notebook = (uri && vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString())) ?? vscode.window.activeNotebookEditor?.notebook;
  const target = notebook?.uri ?? uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showErrorMessage('cxreport: open a cxreport.yaml to build its report');
    return;
  }
  if (notebook?.isDirty) await notebook.save();
  let cx: ReturnType<typeof cxreportFor>;
  try {
    cx = cxreportFor(target);
  } catch (error) {
    void vscode.window.showErrorMessage(`cxreport: ${(error as Error).message}`);
    return;
  }
  const cwd = dirname(target.fsPath);
  const args = [join(cx.root, 'bin', 'cxreport.js'), 'build', basename(target.fsPath), '--json', ...(cx.period ? ['--period', cx.period] : [])];
  log.appendLine(`$ cd ${cwd} && ${cx.node} ${args.join(' ')}`);
  log.show(true);
  const wrote: string[] = [];
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'cxreport build', cancellable: true }, (progress, token) =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(cx.node, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      token.onCancellationRequested(() => child.kill('SIGTERM'));
      let stderr = '';
      let rest = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        rest += chunk;
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          let event: { event?: string; step?: string; detail?: string; path?: string; message?: string; ms?: number; bytes?: number };
          try {
            event = JSON.parse(line);
          } catch {
            log.appendLine(line);
            continue;
          }
          // the CLI's --json events, as its terminal output reads
          if (event.event === 'step-start' || event.event === 'progress') progress.report({ message: event.detail ? `${event.step}: ${event.detail}` : event.step });
          if (event.event === 'step-end') log.appendLine(`✓ ${event.step} (${event.ms} ms)`);
          else if (event.event === 'wrote' && event.path) {
            wrote.push(event.path);
            log.appendLine(`wrote ${event.path} (${event.bytes} bytes)`);
          } else if (event.event === 'info' || event.event === 'warning') log.appendLine(`${event.event === 'warning' ? 'warning: ' : ''}${event.message}`);
          else if (event.event === 'step-failed') log.appendLine(`✗ ${event.step}`);
        }
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        log.append(chunk);
      });
      child.on('error', (error) => done({ code: -1, stderr: error.message }));
      child.on('exit', (code) => done({ code, stderr }));
    }),
  );
  if (result.code === 0) {
    const html = wrote.find((p) => p.endsWith('report.html'));
    const shown = wrote.filter((p) => !p.endsWith('manifest.json')).map((p) => relative(cwd, join(cwd, p)) || p);
    const choice = await vscode.window.showInformationMessage(`cxreport: built ${shown.join(', ')}`, ...(html ? ['Open report.html'] : []));
    if (choice && html) void vscode.env.openExternal(vscode.Uri.file(join(cwd, html)));
  } else {
    void vscode.window.showErrorMessage(`cxreport build failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(0, 6).join(' ') || 'see the cxreport output'}`);
  }
}

// ---------------------------------------------------------------------------------------------

export function activate(context: vscode.ExtensionContext): void {
  log = vscode.window.createOutputChannel('cxreport');
  try {
    schema = JSON.parse(readFileSync(join(context.extensionPath, 'dist', 'cxreport.schema.json'), 'utf8')) as Schema;
  } catch (error) {
    log.appendLine(`no JSON schema for completion: ${(error as Error).message}`);
  }
  diagnostics = vscode.languages.createDiagnosticCollection('cxreport');
  const controller = vscode.notebooks.createNotebookController('cxreport', TYPE, 'cxreport');
  controller.supportedLanguages = ['yaml'];
  controller.supportsExecutionOrder = true;
  controller.description = 'runs each section through cxreport';
  controller.executeHandler = (cells, notebook, c) => execute(cells, notebook, c);
  controller.interruptHandler = (notebook) => {
    try {
      runnerFor(notebook.uri).runner.stop();
    } catch {
      // no runner
    }
  };
  const prefer = (notebook: vscode.NotebookDocument) => {
    if (notebook.notebookType !== TYPE) return;
    controller.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
    validateSoon(notebook, 0);
  };
  vscode.workspace.notebookDocuments.forEach(prefer);
  context.subscriptions.push(
    log,
    diagnostics,
    controller,
    vscode.workspace.registerNotebookSerializer(TYPE, new Serializer(), { transientOutputs: true }),
    vscode.workspace.onDidOpenNotebookDocument(prefer),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => notebook.getCells().forEach((c) => diagnostics.delete(c.document.uri))),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook.notebookType === TYPE && (e.contentChanges.length > 0 || e.cellChanges.some((c) => c.document))) validateSoon(e.notebook);
    }),
    vscode.languages.registerCompletionItemProvider({ language: 'yaml', notebookType: TYPE }, completionProvider, ':', ' ', '\n', '[', ','),
    vscode.commands.registerCommand('cxreport.build', (uri?: vscode.Uri) => buildReport(uri)),
    vscode.commands.registerCommand('cxreport.restartRunner', () => {
      for (const r of runners.values()) r.stop();
    }),
    vscode.commands.registerCommand('cxreport.openAsText', async () => {
      const uri = vscode.window.activeNotebookEditor?.notebook.uri;
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    }),
    { dispose: () => runners.forEach((r) => r.stop()) },
  );
}

export function deactivate(): void {
  for (const r of runners.values()) r.stop();
}
