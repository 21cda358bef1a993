import { callbackSecret, callbackBaseUrl, startCallbackServer } from '@cairn/core';
import { openSession } from '../session.ts';
import { dim, green } from '../print.ts';
import { untilInterrupted } from '../until-interrupted.ts';

/**
 * `cairn serve callbacks`: takes the results of asynchronous tool calls over HTTP until Ctrl-C.
 * It must share the workers' callback secret (CAIRN_CALLBACK_SECRET, else the one in CAIRN_HOME),
 * and the workers must know its public address (CAIRN_CALLBACK_URL) to hand it to their tools.
 */
export async function serveCallbacksCommand(options: { port?: number; host?: string }): Promise<number> {
  const session = await openSession();
  try {
    const server = await startCallbackServer({
      client: session.client,
      secret: callbackSecret(),
      ...(options.port ? { port: options.port } : {}),
      ...(options.host ? { host: options.host } : {}),
      onCompleted: ({ runId, callId, failed }) => console.log(`${green('✓')} ${failed ? 'failed' : 'completed'} ${callId} of ${runId}`),
    });
    console.log(`Callbacks for asynchronous tool calls at ${server.url}/v1/callbacks/<runId>/<callId>`);
    const advertised = callbackBaseUrl();
    if (advertised !== server.url) console.log(dim(`Workers hand their tools ${advertised} (CAIRN_CALLBACK_URL): point it here, or at a proxy in front of this.`));
    await untilInterrupted();
    await server.close();
    return 0;
  } finally {
    await session.close();
  }
}
