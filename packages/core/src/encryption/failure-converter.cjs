// With encryption on, failure messages and stack traces go into the encrypted
// payload too (Temporal otherwise keeps them in clear text): an error can quote
// what a tool read or what a model wrote. The SDK loads this module with
// require() in clients and workers and bundles it into workflow code, hence
// CommonJS.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
