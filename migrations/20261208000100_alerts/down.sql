DROP TABLE alert_webhook_delivery;
DROP TABLE alert_event;
DROP TABLE alert_rule;
