# The redaction key: /guardian/<environment>/redaction_nonce_v<N>, SecureString, 64 hex.
# Rotate by adding redaction_nonce_v2 (the newest version redacts, every live version verifies)
# and deleting v1 after the grace period. Terraform creates v1 and leaves its value alone after.

locals {
  nonce_parameter_path = "/guardian/${var.environment}/"
}

resource "random_id" "redaction_nonce_v1" {
  byte_length = 32
}

resource "aws_ssm_parameter" "redaction_nonce_v1" {
  name        = "${local.nonce_parameter_path}redaction_nonce_v1"
  description = "pm-action redaction key, version 1 (64 hex)"
  type        = "SecureString"
  key_id      = aws_kms_key.pm_action.arn
  value       = random_id.redaction_nonce_v1.hex

  lifecycle {
    ignore_changes = [value]
  }
}
