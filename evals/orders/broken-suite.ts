// The orders suite on the agent whose tool returns the wrong field: compared with a report of the
// suite as shipped (`--baseline`), it fails. A demonstration that the suite catches a regression.
import { defineSuite } from '@cairn/evals';
import { brokenOrdersAgent } from './agent.ts';
import { ordersSuite } from './suite.ts';

export default defineSuite({ ...ordersSuite, name: 'orders-broken', agent: brokenOrdersAgent });
