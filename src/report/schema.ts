/**
 * The report schema as a TypeScript module, so the bundler and jest need no JSON import.
 * `schema.json` is the source of truth; this object is kept identical to it by hand (a test
 * compares the two). Edit both together.
 */
import { canonicalJson, sha256Hex } from './canonical.js';

export const REPORT_SCHEMA = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://github.com/PhaseMirror/pm-action/blob/main/src/report/schema.json",
  "title": "Phase Mirror dissonance report",
  "description": "dissonance_report.json written by pm-action (DESIGN §9). Keys are snake_case; the file is canonical JSON.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "meta",
    "items",
    "summary",
    "machine_decision"
  ],
  "properties": {
    "meta": {
      "$ref": "#/$defs/meta"
    },
    "items": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/item"
      }
    },
    "summary": {
      "$ref": "#/$defs/summary"
    },
    "machine_decision": {
      "$ref": "#/$defs/machine_decision"
    }
  },
  "$defs": {
    "severity": {
      "type": "string",
      "enum": [
        "critical",
        "high",
        "medium",
        "low"
      ]
    },
    "degraded_reason": {
      "type": "string",
      "enum": [
        "circuit_breaker_triggered",
        "fp_store_unavailable",
        "nonce_unavailable",
        "baseline_unavailable",
        "github_api_unavailable"
      ]
    },
    "meta": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "schema_version",
        "tool",
        "run_id",
        "run_attempt",
        "timestamp",
        "mode",
        "event",
        "repository",
        "ref",
        "sha",
        "rules_hash",
        "l0",
        "demotions",
        "evaluation_errors",
        "unobservable",
        "invalid_suppressions",
        "policy_source"
      ],
      "properties": {
        "schema_version": {
          "const": "2.0.0"
        },
        "tool": {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "name",
            "version"
          ],
          "properties": {
            "name": {
              "type": "string",
              "minLength": 1
            },
            "version": {
              "type": "string",
              "minLength": 1
            }
          }
        },
        "run_id": {
          "type": "string"
        },
        "run_attempt": {
          "type": "string"
        },
        "timestamp": {
          "type": "string",
          "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
        },
        "mode": {
          "type": "string",
          "enum": [
            "check",
            "drift",
            "calibrate"
          ]
        },
        "event": {
          "type": "string"
        },
        "repository": {
          "type": "string"
        },
        "ref": {
          "type": "string"
        },
        "sha": {
          "type": "string",
          "pattern": "^([0-9a-f]{40}|[0-9a-f]{64})?$"
        },
        "rules_hash": {
          "type": "string",
          "pattern": "^[0-9a-f]{64}$"
        },
        "l0": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/l0_result"
          }
        },
        "degraded": {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "reasons"
          ],
          "properties": {
            "reasons": {
              "type": "array",
              "items": {
                "$ref": "#/$defs/degraded_reason"
              }
            },
            "detail": {
              "type": "string"
            }
          }
        },
        "demotions": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/demotion"
          }
        },
        "evaluation_errors": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "rule_id",
              "message"
            ],
            "properties": {
              "rule_id": {
                "type": "string",
                "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"
              },
              "message": {
                "type": "string"
              }
            }
          }
        },
        "unobservable": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/unobservable"
          }
        },
        "invalid_suppressions": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "line",
              "problem"
            ],
            "properties": {
              "line": {
                "type": "integer",
                "minimum": 0
              },
              "problem": {
                "type": "string"
              }
            }
          }
        },
        "unrecorded": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/unrecorded_write"
          }
        },
        "policy_source": {
          "type": "string"
        },
        "drift": {
          "type": "object",
          "additionalProperties": true
        }
      }
    },
    "l0_result": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "check",
        "status",
        "detail"
      ],
      "properties": {
        "check": {
          "type": "string",
          "enum": [
            "schema_hash",
            "permission_bits",
            "drift_magnitude",
            "nonce_freshness",
            "contraction_witness"
          ]
        },
        "status": {
          "type": "string",
          "enum": [
            "pass",
            "fail",
            "skipped"
          ]
        },
        "detail": {
          "type": "string"
        }
      }
    },
    "demotion": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "rule_id",
        "fpr",
        "ceiling",
        "reviewed",
        "from",
        "to"
      ],
      "properties": {
        "rule_id": {
          "type": "string",
          "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"
        },
        "fpr": {
          "type": "number",
          "minimum": 0,
          "maximum": 1
        },
        "ceiling": {
          "type": "number",
          "minimum": 0,
          "maximum": 1
        },
        "reviewed": {
          "type": "integer",
          "minimum": 0
        },
        "from": {
          "const": "block"
        },
        "to": {
          "const": "warn"
        }
      }
    },
    "unobservable": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "subject",
        "reason"
      ],
      "properties": {
        "subject": {
          "type": "string"
        },
        "reason": {
          "type": "string"
        },
        "missing_permission": {
          "type": "string"
        },
        "rule_id": {
          "type": "string",
          "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"
        }
      }
    },
    "unrecorded_write": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "store",
        "operation",
        "error",
        "payload"
      ],
      "properties": {
        "store": {
          "type": "string",
          "enum": [
            "fp-events",
            "fp-marks",
            "block-counter",
            "calibration",
            "baseline"
          ]
        },
        "operation": {
          "type": "string"
        },
        "error": {
          "type": "string"
        },
        "payload": {}
      }
    },
    "evidence": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "path"
      ],
      "properties": {
        "path": {
          "type": "string"
        },
        "line": {
          "type": "integer",
          "minimum": 1
        },
        "column": {
          "type": "integer",
          "minimum": 1
        },
        "snippet": {
          "type": "string"
        },
        "hash": {
          "type": "string"
        }
      }
    },
    "suppression": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "kind",
        "reason"
      ],
      "properties": {
        "kind": {
          "type": "string",
          "enum": [
            "policy",
            "fp_mark"
          ]
        },
        "reason": {
          "type": "string"
        },
        "approved_by": {
          "type": "string"
        },
        "expires": {
          "type": "string"
        },
        "ticket": {
          "type": "string"
        }
      }
    },
    "item": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "id",
        "rule_id",
        "rule_version",
        "severity",
        "confidence",
        "title",
        "message",
        "evidence",
        "remediation",
        "status",
        "action",
        "subject"
      ],
      "properties": {
        "id": {
          "type": "string",
          "pattern": "^[0-9a-f]{16}$"
        },
        "rule_id": {
          "type": "string",
          "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"
        },
        "rule_version": {
          "type": "string"
        },
        "severity": {
          "$ref": "#/$defs/severity"
        },
        "confidence": {
          "type": "string",
          "enum": [
            "high",
            "medium",
            "low"
          ]
        },
        "title": {
          "type": "string"
        },
        "message": {
          "type": "string"
        },
        "evidence": {
          "type": "array",
          "items": {
            "$ref": "#/$defs/evidence"
          }
        },
        "remediation": {
          "type": "string"
        },
        "status": {
          "type": "string",
          "enum": [
            "open",
            "suppressed",
            "false_positive"
          ]
        },
        "action": {
          "type": "string",
          "enum": [
            "block",
            "warn"
          ]
        },
        "subject": {
          "type": "string"
        },
        "suppression": {
          "$ref": "#/$defs/suppression"
        }
      }
    },
    "summary": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "total",
        "by_severity",
        "by_status",
        "suppressed",
        "false_positives",
        "blocking"
      ],
      "properties": {
        "total": {
          "type": "integer",
          "minimum": 0
        },
        "by_severity": {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "critical",
            "high",
            "medium",
            "low"
          ],
          "properties": {
            "critical": {
              "type": "integer",
              "minimum": 0
            },
            "high": {
              "type": "integer",
              "minimum": 0
            },
            "medium": {
              "type": "integer",
              "minimum": 0
            },
            "low": {
              "type": "integer",
              "minimum": 0
            }
          }
        },
        "by_status": {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "open",
            "suppressed",
            "false_positive"
          ],
          "properties": {
            "open": {
              "type": "integer",
              "minimum": 0
            },
            "suppressed": {
              "type": "integer",
              "minimum": 0
            },
            "false_positive": {
              "type": "integer",
              "minimum": 0
            }
          }
        },
        "suppressed": {
          "type": "integer",
          "minimum": 0
        },
        "false_positives": {
          "type": "integer",
          "minimum": 0
        },
        "blocking": {
          "type": "integer",
          "minimum": 0
        }
      }
    },
    "machine_decision": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "outcome",
        "degraded",
        "reasons",
        "strict"
      ],
      "properties": {
        "outcome": {
          "type": "string",
          "enum": [
            "pass",
            "warn",
            "block"
          ]
        },
        "degraded": {
          "type": "boolean"
        },
        "reasons": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "strict": {
          "type": "boolean"
        }
      }
    }
  }
} as const;

/** sha256 of the canonical JSON of the schema; compared with the build-time constant by L0 schema_hash. */
export const REPORT_SCHEMA_SHA256: string = sha256Hex(canonicalJson(REPORT_SCHEMA));
