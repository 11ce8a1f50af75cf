import type { Position, Positioned } from './common.js';

export type PermissionLevel = 'read' | 'write' | 'none';

/**
 * A `permissions:` block as written. `scopes` is empty for the shorthand forms.
 * `{}` is `kind: 'scopes'` with no scopes (everything none).
 */
export interface PermissionsDecl extends Position {
  kind: 'read-all' | 'write-all' | 'scopes' | 'invalid';
  scopes: Record<string, PermissionLevel>;
  /** Line of each scope key, for evidence. */
  scopeLines: Record<string, number>;
  /** For `invalid`: what was written. */
  raw?: string;
}

export interface TriggerFilters {
  branches?: string[];
  branchesIgnore?: string[];
  paths?: string[];
  pathsIgnore?: string[];
  types?: string[];
  /** workflow_run: the workflows it follows. */
  workflows?: string[];
}

export interface Trigger extends Position {
  event: string;
  filters: TriggerFilters;
}

export interface Matrix extends Position {
  /** Plain dimensions: key → values (values as written, scalars or objects). */
  dimensions: Record<string, unknown[]>;
  include: Record<string, unknown>[];
  exclude: Record<string, unknown>[];
  /** Set when the matrix (or a dimension) is an expression such as `${{ fromJSON(...) }}`. */
  dynamic?: string;
}

export interface Step extends Position {
  index: number;
  id?: string;
  name?: string;
  uses?: Positioned<string>;
  run?: Positioned<string>;
  /** `shell:` if given. */
  shell?: string;
  with: Record<string, Positioned<string>>;
  env: Record<string, Positioned<string>>;
  if?: Positioned<string>;
  /** `working-directory:` of a `run:` step, as written. */
  workingDirectory?: string;
}

export interface ContainerRef extends Position {
  /** `container` or the service id. */
  id: string;
  image: string;
}

export interface Job extends Position {
  id: string;
  name?: Positioned<string>;
  needs: string[];
  if?: Positioned<string>;
  permissions?: PermissionsDecl;
  runsOn?: string;
  environment?: string;
  matrix?: Matrix;
  /** Reusable workflow call (`jobs.<id>.uses`). */
  uses?: Positioned<string>;
  with: Record<string, Positioned<string>>;
  secretsInherit: boolean;
  steps: Step[];
  container?: ContainerRef;
  services: ContainerRef[];
  env: Record<string, Positioned<string>>;
  /** `defaults.run.working-directory` of the job. */
  defaultWorkingDirectory?: string;
}

export interface ParseError {
  message: string;
  line?: number;
  column?: number;
}

/** A workflow file (or, with kind `action`, an action metadata file). */
export interface WorkflowFile {
  path: string;
  kind: 'workflow' | 'action';
  sha256: string;
  /** Present when the file is not valid YAML or not a mapping; the rest is then empty. */
  parseError?: ParseError;
  name?: string;
  /** Position of the `on:` key (line 1 when absent). */
  on?: Position;
  triggers: Trigger[];
  permissions?: PermissionsDecl;
  /** Workflow-level env, for MD-007's indirect interpolation. */
  env: Record<string, Positioned<string>>;
  /** `defaults.run.working-directory` of the workflow. */
  defaultWorkingDirectory?: string;
  jobs: Job[];
  /** Number of lines, for evidence bounds. */
  lineCount: number;
}
