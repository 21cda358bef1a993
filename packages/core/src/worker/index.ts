export { createCairnWorker, loadWorkflowBundle, type CairnWorkerOptions } from './create-worker.ts';
export { workflowBundle, workflowsPath } from './workflow-bundle.ts';
export { workerBuildId } from './build-id.ts';
