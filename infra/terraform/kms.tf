resource "aws_kms_key" "pm_action" {
  description             = "pm-action: DynamoDB tables, baselines bucket and redaction key"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "pm_action" {
  name          = "alias/pm-action"
  target_key_id = aws_kms_key.pm_action.key_id
}
