"""records blueprint: 干部信息 (cadre records) pages."""
