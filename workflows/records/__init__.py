"""Registers about people that outlive one case: the 预备党员 register today, cadre records
(干部信息) and the reserve pool (后备干部库) as they are added."""
