// PLACEHOLDER — replaced by the invoice number workflow implementation.
import { condition } from '@temporalio/workflow';

export async function invoiceNumberWorkflow(): Promise<void> {
  await condition(() => false);
}
