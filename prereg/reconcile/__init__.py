"""国网名单核对: the roster exported from the 国网 (中国卫生人才网) 考务管理系统 against this system's applications."""
