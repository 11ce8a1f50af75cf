# Alarms: throttling on any table, and the circuit breaker tripping. The action prints
#   ::warning::Phase Mirror ran degraded (circuit_breaker_triggered): …
# (src/main.ts); ship the workflow logs to var.action_log_group to have it counted.

locals {
  alarm_actions = var.alarm_topic_arn == "" ? [] : [var.alarm_topic_arn]
  tables = {
    fp_events     = aws_dynamodb_table.fp_events.name
    block_counter = aws_dynamodb_table.block_counter.name
    consent       = aws_dynamodb_table.consent.name
    calibration   = aws_dynamodb_table.calibration.name
  }
}

resource "aws_cloudwatch_metric_alarm" "throttled" {
  for_each            = local.tables
  alarm_name          = "pm-action-${each.key}-throttled"
  alarm_description   = "DynamoDB throttled pm-action requests on ${each.value}; runs degrade to fp_store_unavailable when retries run out."
  namespace           = "AWS/DynamoDB"
  metric_name         = "ThrottledRequests"
  dimensions          = { TableName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_log_group" "action" {
  name              = var.action_log_group
  retention_in_days = 90
  kms_key_id        = aws_kms_key.pm_action.arn
}

resource "aws_cloudwatch_log_metric_filter" "circuit_breaker" {
  name           = "pm-action-circuit-breaker"
  log_group_name = aws_cloudwatch_log_group.action.name
  pattern        = "\"Phase Mirror ran degraded\" \"circuit_breaker_triggered\""
  metric_transformation {
    name          = "CircuitBreakerTriggered"
    namespace     = "PhaseMirror"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "circuit_breaker" {
  alarm_name          = "pm-action-circuit-breaker-triggered"
  alarm_description   = "pm-action's circuit breaker turned blocks into warnings: too many blocked runs in one hour."
  namespace           = "PhaseMirror"
  metric_name         = "CircuitBreakerTriggered"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}
