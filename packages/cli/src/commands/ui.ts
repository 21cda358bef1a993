import { spawn } from 'node:child_process';
import { isEmbedded } from '@cairn/core/temporal';
import { checkExposure, consoleTokens, startConsoleServer } from '../console/console-server.ts';
import { openSession } from '../session.ts';
import { dim, yellow } from '../print.ts';
import { untilInterrupted } from '../until-interrupted.ts';

/**
 * `cairn ui`: the web console until Ctrl-C, for the embedded stack (brought up if needed) or
 * the cluster TEMPORAL_ADDRESS names.
 */
export async function uiCommand(options: { port?: number; host?: string; open?: boolean; taskQueue?: string }): Promise<number> {
  // Checked before anything starts: a console exposed without a token must not come up at all.
  const tokens = consoleTokens(process.env.CAIRN_UI_TOKEN);
  checkExposure(options.host ?? '127.0.0.1', tokens);
  const session = await openSession({ ...(isEmbedded() ? { bringUp: {} } : {}), ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}) });
  try {
    const server = await startConsoleServer({ client: session.client, tokens, ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });
    console.log(`Cairn console at ${server.url}${tokens.length > 0 ? ` (tokens: ${tokens.map((token) => token.name).join(', ')})` : ''}`);
    console.log(dim(session.embedded ? 'Serving the embedded stack. Ctrl-C stops the console; runs go on.' : `Serving ${session.address}. Ctrl-C stops the console; runs go on.`));
    if (options.open) openInBrowser(server.url);
    await untilInterrupted();
    await server.close();
    return 0;
  } finally {
    await session.close();
  }
}

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log(yellow(`Could not open a browser (${command}): open ${url} yourself.`)));
  child.unref();
}
