export { ConfigurationError, isConfigurationError, messageOf } from './errors.js';
export { readUserFile, writeFileAtomic } from './files.js';
export { RecordingLogger, type LogEntry, type Logger, type SourceLocation } from './logger.js';
export { mapLimit } from './parallel.js';
export { didYouMean } from './suggest.js';
export {
  runCommand,
  type CommandRequest,
  type CommandResult,
  type CommandRunner,
} from './process.js';
export { toMarkdown, toTerminal, type Block, type Cell, type Report } from './report.js';
