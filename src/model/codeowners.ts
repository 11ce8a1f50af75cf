export interface CodeownersEntry {
  pattern: string;
  owners: string[];
  line: number;
}

export interface CodeownersError {
  line: number;
  column?: number;
  message: string;
  source: 'local' | 'api';
}

export interface CodeownersFile {
  path: string;
  sha256: string;
  entries: CodeownersEntry[];
  errors: CodeownersError[];
}
