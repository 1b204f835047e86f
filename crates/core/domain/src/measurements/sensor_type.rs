//! The 32 generic sensor quantities (`sensor.proto` enum `SensorType`) and how upstream names
//! them in storage: sensor name = the enum value name, measurement and unit = the `ents` display
//! name and unit (`ents.proto.sensor.get_sensor_data`; docs/wire-format.md#generic-measurements).

/// One generic sensor quantity. `NONE` (0) is not a quantity: it is refused when decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum SensorType {
    PowerVoltage = 1,
    PowerCurrent = 2,
    Teros12Vwc = 3,
    Teros12VwcAdj = 4,
    Teros12Temp = 5,
    Teros12Ec = 6,
    Phytos31Voltage = 7,
    Phytos31LeafWetness = 8,
    Bme280Pressure = 9,
    Bme280Temp = 10,
    Bme280Humidity = 11,
    Teros21MatricPot = 12,
    Teros21Temp = 13,
    Sen0308Voltage = 14,
    Sen0308Humidity = 15,
    Sen0257Voltage = 16,
    Sen0257Pressure = 17,
    Yfs210cFlow = 18,
    Pcap02Capacitance = 19,
    D10Flow = 20,
    D10VolumeElapsed = 21,
    D10TimeElapsed = 22,
    Watermark200ssSoilTension = 23,
    Watermark200tsSoilTemperature = 24,
    Edu0157WindSpeed = 25,
    Edu0157WindDirection = 26,
    Edu0157Altitude = 27,
    Edu0157Pressure = 28,
    Edu0157Temp = 29,
    Edu0157Humidity = 30,
    Alsmpm2fWaterLevel = 31,
    Alsmpm2fVoltage = 32,
}

impl SensorType {
    /// Every quantity, in enum-number order.
    pub const ALL: [SensorType; 32] = [
        Self::PowerVoltage,
        Self::PowerCurrent,
        Self::Teros12Vwc,
        Self::Teros12VwcAdj,
        Self::Teros12Temp,
        Self::Teros12Ec,
        Self::Phytos31Voltage,
        Self::Phytos31LeafWetness,
        Self::Bme280Pressure,
        Self::Bme280Temp,
        Self::Bme280Humidity,
        Self::Teros21MatricPot,
        Self::Teros21Temp,
        Self::Sen0308Voltage,
        Self::Sen0308Humidity,
        Self::Sen0257Voltage,
        Self::Sen0257Pressure,
        Self::Yfs210cFlow,
        Self::Pcap02Capacitance,
        Self::D10Flow,
        Self::D10VolumeElapsed,
        Self::D10TimeElapsed,
        Self::Watermark200ssSoilTension,
        Self::Watermark200tsSoilTemperature,
        Self::Edu0157WindSpeed,
        Self::Edu0157WindDirection,
        Self::Edu0157Altitude,
        Self::Edu0157Pressure,
        Self::Edu0157Temp,
        Self::Edu0157Humidity,
        Self::Alsmpm2fWaterLevel,
        Self::Alsmpm2fVoltage,
    ];

    /// The quantity with enum number `number`; `None` for `NONE` (0) and undefined numbers.
    pub fn from_number(number: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.number() == number)
    }

    /// The enum number on the wire.
    pub fn number(self) -> i32 {
        self as i32
    }

    /// The enum value name: the stored sensor name and the Socket.IO `type`.
    pub fn name(self) -> &'static str {
        self.describe().0
    }

    /// The `ents` display name: the stored measurement and the Socket.IO `data` key.
    pub fn measurement(self) -> &'static str {
        self.describe().1
    }

    /// The `ents` unit.
    pub fn unit(self) -> &'static str {
        self.describe().2
    }

    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::PowerVoltage => ("POWER_VOLTAGE", "Voltage", "mV"),
            Self::PowerCurrent => ("POWER_CURRENT", "Current", "uA"),
            Self::Teros12Vwc => ("TEROS12_VWC", "Volumetric Water Content (Raw)", "raw"),
            Self::Teros12VwcAdj => ("TEROS12_VWC_ADJ", "Volumetric Water Content", "%"),
            Self::Teros12Temp => ("TEROS12_TEMP", "Temperature", "C"),
            Self::Teros12Ec => ("TEROS12_EC", "Electrical Conductivity", "uS/cm"),
            Self::Phytos31Voltage => ("PHYTOS31_VOLTAGE", "Voltage", "mV"),
            Self::Phytos31LeafWetness => ("PHYTOS31_LEAF_WETNESS", "Leaf Wetness", "%"),
            Self::Bme280Pressure => ("BME280_PRESSURE", "Pressure", "kPa"),
            Self::Bme280Temp => ("BME280_TEMP", "Temperature", "C"),
            Self::Bme280Humidity => ("BME280_HUMIDITY", "Humidity", "%"),
            Self::Teros21MatricPot => ("TEROS21_MATRIC_POT", "Matric Potential", "kPa"),
            Self::Teros21Temp => ("TEROS21_TEMP", "Temperature", "C"),
            Self::Sen0308Voltage => ("SEN0308_VOLTAGE", "Voltage", "mV"),
            Self::Sen0308Humidity => ("SEN0308_HUMIDITY", "Humidity", "%"),
            Self::Sen0257Voltage => ("SEN0257_VOLTAGE", "Voltage", "mV"),
            Self::Sen0257Pressure => ("SEN0257_PRESSURE", "Pressure", "kPa"),
            Self::Yfs210cFlow => ("YFS210C_FLOW", "Flow Rate", "L/min"),
            Self::Pcap02Capacitance => ("PCAP02_CAPACITANCE", "Capacitance Ratio", "pF/pF"),
            Self::D10Flow => ("D10_FLOW", "Flow rate", "gal/min"),
            Self::D10VolumeElapsed => ("D10_VOLUME_ELAPSED", "Volume Elapsed", "gal"),
            Self::D10TimeElapsed => ("D10_TIME_ELAPSED", "Time Elapsed", "s"),
            Self::Watermark200ssSoilTension => {
                ("WATERMARK200SS_SOIL_TENSION", "Soil Tension", "kPa")
            }
            Self::Watermark200tsSoilTemperature => {
                ("WATERMARK200TS_SOIL_TEMPERATURE", "Soil Temperature", "C")
            }
            Self::Edu0157WindSpeed => ("EDU0157_WIND_SPEED", "Wind Speed", "m/s"),
            Self::Edu0157WindDirection => {
                ("EDU0157_WIND_DIRECTION", "Wind Direction", "degrees E of N")
            }
            Self::Edu0157Altitude => ("EDU0157_ALTITUDE", "Altitude", "m"),
            Self::Edu0157Pressure => ("EDU0157_PRESSURE", "Pressure", "hPa"),
            Self::Edu0157Temp => ("EDU0157_TEMP", "Temperature", "C"),
            Self::Edu0157Humidity => ("EDU0157_HUMIDITY", "Humidity", "%"),
            Self::Alsmpm2fWaterLevel => ("ALSMPM2F_WATER_LEVEL", "Water Level", "m"),
            Self::Alsmpm2fVoltage => ("ALSMPM2F_VOLTAGE", "Voltage", "V"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_none_is_not_a_type() {
        for (i, t) in SensorType::ALL.into_iter().enumerate() {
            assert_eq!(t.number(), i as i32 + 1);
            assert_eq!(SensorType::from_number(t.number()), Some(t));
        }
        assert_eq!(SensorType::from_number(0), None);
        assert_eq!(SensorType::from_number(33), None);
        assert_eq!(SensorType::from_number(-1), None);
    }

    #[test]
    fn names_match_upstream_table() {
        assert_eq!(SensorType::PowerVoltage.name(), "POWER_VOLTAGE");
        assert_eq!(
            SensorType::Teros12Vwc.measurement(),
            "Volumetric Water Content (Raw)"
        );
        assert_eq!(SensorType::Edu0157WindDirection.unit(), "degrees E of N");
        assert_eq!(SensorType::Alsmpm2fVoltage.unit(), "V");
    }
}
