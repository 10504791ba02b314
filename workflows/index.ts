/** The one file the worker's bundle starts from: every workflow type we run. */
export { projectWorkflow } from './project/workflow';
export { taskWorkflow } from './task/workflow';
export { invoiceNumberWorkflow } from './invoice-number/workflow';
export { managerHandoverNoticeWorkflow, managerHandoverWorkflow } from './manager-handover/workflow';
export { workReassignmentNoticeWorkflow, workReassignmentWorkflow } from './work-reassignment/workflow';
export { leadershipDigestWorkflow } from './leadership-digest/workflow';
export { managerDigestWorkflow } from './manager-digest/workflow';
