// Keep the SDK's own logs to warnings in tests, so a failing test's output is readable.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
