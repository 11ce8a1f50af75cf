output "role_arn" {
  description = "aws-role-arn input."
  value       = aws_iam_role.pm_action.arn
}

output "fp_table" {
  value = aws_dynamodb_table.fp_events.name
}

output "block_counter_table" {
  value = aws_dynamodb_table.block_counter.name
}

output "consent_table" {
  value = aws_dynamodb_table.consent.name
}

output "calibration_table" {
  value = aws_dynamodb_table.calibration.name
}

output "baseline_bucket" {
  value = aws_s3_bucket.baselines.bucket
}

output "nonce_parameter_path" {
  description = "nonce-parameter-path input."
  value       = local.nonce_parameter_path
}
