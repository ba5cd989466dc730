/** Where a message points in the user's files (becomes a GitHub annotation). */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  title?: string;
}

export interface Logger {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string, location?: SourceLocation): void;
  error(message: string, location?: SourceLocation): void;
  /** Folds the lines logged until endGroup (a collapsible group on a runner). */
  startGroup(title: string): void;
  endGroup(): void;
}

export interface LogEntry {
  level: 'info' | 'debug' | 'warning' | 'error' | 'group';
  message: string;
  location?: SourceLocation;
}

/** Keeps every entry, for tests and for callers that render logs later. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  info(message: string): void {
    this.entries.push({ level: 'info', message });
  }
  debug(message: string): void {
    this.entries.push({ level: 'debug', message });
  }
  warning(message: string, location?: SourceLocation): void {
    this.entries.push({ level: 'warning', message, location });
  }
  error(message: string, location?: SourceLocation): void {
    this.entries.push({ level: 'error', message, location });
  }
  startGroup(title: string): void {
    this.entries.push({ level: 'group', message: title });
  }
  endGroup(): void {}
  messages(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }
}
