DROP TABLE auth_failure;
