variable "region" {
  description = "AWS region of the tables, bucket and parameters (the action's aws-region input)."
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name; the redaction key lives under /guardian/<environment>/ (the nonce-parameter-path input)."
  type        = string
  default     = "prod"
}

variable "github_org" {
  description = "GitHub organisation whose workflows may assume the role."
  type        = string
}

variable "github_repositories" {
  description = "Repositories (names, or \"*\" for all of the organisation) allowed to assume the role."
  type        = list(string)
  default     = ["*"]
}

variable "github_branches" {
  description = "Branches whose push, schedule and dispatch runs may assume the role (sub repo:<org>/<repo>:ref:refs/heads/<branch>)."
  type        = list(string)
  default     = ["main"]
}

variable "github_environments" {
  description = "Deployment environments whose jobs may assume the role (sub repo:<org>/<repo>:environment:<name>)."
  type        = list(string)
  default     = []
}

variable "github_owner_id" {
  description = "Numeric id of the organisation, for subjects customised to immutable ids (repository_owner_id:<id>:...). Empty = not used."
  type        = string
  default     = ""
}

variable "create_oidc_provider" {
  description = "Create the token.actions.githubusercontent.com OIDC provider (false when the account already has it)."
  type        = bool
  default     = true
}

variable "role_name" {
  type    = string
  default = "pm-action"
}

variable "fp_table_name" {
  description = "fp-table input."
  type        = string
  default     = "pm-action-fp-events"
}

variable "block_counter_table_name" {
  description = "block-counter-table input."
  type        = string
  default     = "pm-action-block-counter"
}

variable "consent_table_name" {
  description = "consent-table input."
  type        = string
  default     = "pm-action-consent"
}

variable "calibration_table_name" {
  description = "calibration-table input."
  type        = string
  default     = "pm-action-calibration"
}

variable "baseline_bucket_name" {
  description = "baseline-bucket input (globally unique)."
  type        = string
}

variable "action_log_group" {
  description = "CloudWatch Logs group the workflow logs are shipped to (for the circuit-breaker alarm)."
  type        = string
  default     = "/github-actions/pm-action"
}

variable "alarm_topic_arn" {
  description = "SNS topic notified by the alarms. Empty = alarms without actions."
  type        = string
  default     = ""
}
