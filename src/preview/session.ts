/**
 * The state of a live preview and its incremental rebuild: a change to a data file reloads the
 * sources and recomputes the metrics; to the config, reloads it (and the sources only if their
 * definitions or files changed); to a narrative, markdown or chart-spec file, rebuilds the report
 * model; to a template, only re-renders. Errors that belong to one section are shown in its cell;
 * errors that stop the whole build are shown above the last report that built.
 */
import { full } from '../app/schema.js';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { type Config } from '../config/load.js';
import { loadConfig } from '../app/config.js';
import { CxError, CxErrors, redactSecrets } from '../kernel/errors.js';
import { fileStamp } from '../kernel/user-files.js';
import { shownError, templatesDir } from '../report/build.js';
import type { ReportModel, ShownError } from '../report/model.js';
import { renderHtml } from '../render/html.js';
import { loadData, modelFor, type Loaded } from '../app/pipeline.js';
import { MetricCache } from '../app/incremental.js';

export type RebuildKind = 'full' | 'data' | 'model' | 'render' | 'none';

export interface RebuildResult {
  kind: RebuildKind;
  ms: number;
  ok: boolean;
  /** metrics prepared and computed by this rebuild (the others were kept from the build before) */
  prepared?: string[];
  computed?: string[];
}

/** The preview's one script: reload when the server says the report was rebuilt. */
const RELOAD_SCRIPT = "new EventSource('/events').onmessage = (e) => { if (e.data === 'reload') location.reload(); };";

/**
 * The preview's reload script and its permissions (the built report itself has no script). Only
 * this script runs: the policy names its SHA-256 hash, never 'unsafe-inline', so any other script
 * that reached the page (it should not: analyst HTML is sanitised) is blocked by the browser.
 */
export const PREVIEW_CSP = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'sha256-${createHash('sha256').update(RELOAD_SCRIPT).digest('base64')}'; connect-src 'self'; base-uri 'none'; form-action 'none'`;
export const PREVIEW_HEAD = `<meta http-equiv="Content-Security-Policy" content="${PREVIEW_CSP}">
<script>${RELOAD_SCRIPT}</script>`;


export class PreviewSession {
  private config?: Config;
  private sourceKey = '';
  private loaded?: Loaded;
  /** prepared rows and results kept between rebuilds (app/incremental.ts) */
  private readonly cache = new MetricCache();
  private model?: ReportModel;
  private banner: ShownError[] = [];
  html = '';
  last: RebuildResult = { kind: 'none', ms: 0, ok: false };

  constructor(
    readonly configPath: string,
    private readonly env: Record<string, string | undefined>,
    private readonly cwd: string,
    private readonly period?: string,
  ) {}

  /** Files whose change should trigger a rebuild, and what kind of rebuild each needs. */
  watched(): Map<string, RebuildKind> {
    const files = new Map<string, RebuildKind>([[resolve(this.cwd, this.configPath), 'full']]);
    const c = this.config && full(this.config);
    if (!c) return files;
    for (const s of Object.values(c.sources)) if ('path' in s) files.set(s.path, 'data');
    for (const s of c.sections) {
      if (s.type === 'markdown' && s.file) files.set(s.file, 'model');
      if (s.type === 'case-study' && s.narrative_file) files.set(s.narrative_file, 'model');
      if (s.type === 'chart') files.set(s.spec, 'model');
    }
    if (c.report.logo) files.set(c.report.logo, 'model');
    files.set(c.templates ?? join(c.dir, 'templates'), 'render');
    return files;
  }

  /** What a change to `path` requires. */
  kindOf(path: string): RebuildKind {
    const abs = resolve(this.cwd, path);
    for (const [file, kind] of this.watched()) if (abs === file || abs.startsWith(`${file}/`)) return kind;
    return 'none';
  }

  /** Rebuilds as little as the change needs; never throws (errors are shown in the page). */
  async rebuild(kind: RebuildKind = 'full'): Promise<RebuildResult> {
    const start = performance.now();
    let ok = true;
    try {
      if (kind === 'full' || !this.config) await this.loadConfig();
      this.cache.lastPrepared = [];
      this.cache.lastComputed = [];
      if (kind === 'full' || kind === 'data' || !this.loaded) await this.loadData(kind === 'data');
      if (kind !== 'render' || !this.model) this.buildModel();
      // a templates folder may have appeared or gone since the model was built
      else this.model = { ...this.model, templatesDir: templatesDir(this.config!) };
      this.banner = [];
    } catch (error) {
      ok = false;
      this.banner = error instanceof CxErrors ? error.errors.map(shownError) : error instanceof CxError ? [shownError(error)] : [{ where: '', message: `internal error: ${redactSecrets((error as Error).message)}` }];
    }
    await this.render();
    this.last = { kind, ms: performance.now() - start, ok, prepared: this.cache.lastPrepared, computed: this.cache.lastComputed };
    return this.last;
  }

  private async loadConfig(): Promise<void> {
    this.config = await loadConfig(this.configPath, { env: this.env, cwd: this.cwd, lenient: true });
  }

  /** The pipeline's data stage in lenient mode, reusing the loaded sources while their definitions and files are unchanged. */
  private async loadData(force: boolean): Promise<void> {
    const config = this.config!;
    const key = JSON.stringify(Object.values(full(config).sources).map((s) => [s, 'path' in s ? fileStamp(s.path) : 'query']));
    const reuse = !force && key === this.sourceKey ? this.loaded?.sources : undefined;
    this.loaded = await loadData(config, this.env, { sources: reuse, cache: this.cache });
    this.sourceKey = key;
  }

  /** The pipeline's model stage (lenient: the config was loaded so). */
  private buildModel(): void {
    this.model = modelFor({ ...this.loaded!, config: this.config! }, this.period, undefined, this.cache).model;
  }

  private async render(): Promise<void> {
    if (!this.model) {
      this.html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>cxreport preview</title>${PREVIEW_HEAD}</head><body><h1>cxreport preview</h1>${this.banner
        .map((e) => `<div role="alert"><p><code>${escape(e.where)}</code> ${escape(e.message)}</p>${e.snippet ? `<pre>${escape(e.snippet)}\n${escape(e.caret ?? '')}</pre>` : ''}${e.hint ? `<p>hint: ${escape(e.hint)}</p>` : ''}</div>`)
        .join('')}</body></html>`;
      return;
    }
    try {
      this.html = await renderHtml(this.model, { cover: true, toc: true, preview: { head: PREVIEW_HEAD, banner: this.banner } });
    } catch (error) {
      this.banner.push({ where: dirname(this.configPath), message: `cannot render the templates: ${(error as Error).message.split('\n')[0]}` });
      this.model = undefined;
      await this.render();
    }
  }
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
